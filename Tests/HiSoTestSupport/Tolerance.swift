/// Relative difference `|a - b| / max(|a|, |b|, tiny)`, the tolerance measure used in the tests.
public func relativeDifference(_ a: Float, _ b: Float) -> Float {
    let scale = max(abs(a), abs(b), Float.leastNormalMagnitude)
    return abs(a - b) / scale
}

/// The largest elementwise relative difference between two equally long sequences, with entries
/// smaller than `floor` in both compared absolutely.
public func maxRelativeDifference<A: Collection, B: Collection>(_ a: A, _ b: B, floor: Float = 1e-6) -> Float
where A.Element == Float, B.Element == Float {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        let scale = max(abs(x), abs(y), floor)
        worst = max(worst, abs(x - y) / scale)
    }
    return worst
}
