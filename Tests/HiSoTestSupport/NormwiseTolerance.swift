/// Norm-wise relative difference `||a - b||_2 / max(||b||_2, tiny)` (in float64).
///
/// The right measure for whole outputs (logits, gradients) whose entries can be near zero by
/// cancellation: elementwise relative errors of such entries say nothing about accuracy.
public func normwiseRelativeDifference<A: Collection, B: Collection>(_ a: A, _ b: B) -> Double
where A.Element == Float, B.Element == Float {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    var difference = 0.0
    var norm = 0.0
    for (x, y) in zip(a, b) {
        difference += (Double(x) - Double(y)) * (Double(x) - Double(y))
        norm += Double(y) * Double(y)
    }
    return difference.squareRoot() / max(norm.squareRoot(), Double(Float.leastNormalMagnitude))
}
