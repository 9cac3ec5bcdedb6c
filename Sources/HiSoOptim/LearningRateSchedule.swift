import RealModule

/// The learning rate as a function of the round index.
///
/// - ``constant(_:)``: `eta(r) = eta0`.
/// - ``step(initial:factor:every:)``: `eta(r) = eta0 * factor^floor(r / every)`.
/// - ``cosine(initial:total:floor:)``: `eta(r) = floor + (eta0 - floor) * (1 + cos(pi * min(r, T) / T)) / 2`,
///   so `eta(0) = eta0` and `eta(r) = floor` for `r >= T`.
///
/// The formulas are evaluated in `Double` and rounded once to `Float`, so every party gets the
/// same learning rate for the same round.
public enum LearningRateSchedule: Sendable, Codable, Equatable {
    /// A constant rate.
    case constant(Float)
    /// Multiplies the rate by `factor` every `every` rounds.
    case step(initial: Float, factor: Float, every: Int)
    /// Cosine decay from `initial` to `floor` (an absolute rate) over `total` rounds.
    case cosine(initial: Float, total: Int, floor: Float)

    /// The rate of round `round` (0-based). Complexity: O(1).
    ///
    /// Call ``validate()`` first: an unvalidated `every` or `total` below 1 is treated as 1.
    public func learningRate(round: UInt64) -> Float {
        switch self {
        case .constant(let eta):
            return eta
        case .step(let initial, let factor, let every):
            let k = Double(round / UInt64(max(every, 1)))
            return Float(Double(initial) * Double.pow(Double(factor), k))
        case .cosine(let initial, let total, let floor):
            let span = max(total, 1)
            let t = Double(min(round, UInt64(span))) / Double(span)
            let w = (1 + Double.cos(Double.pi * t)) / 2
            return Float(Double(floor) + (Double(initial) - Double(floor)) * w)
        }
    }

    /// Checks the parameters.
    ///
    /// - Throws: ``OptimError/invalidParameter(name:value:expected:)`` for a rate that is not
    ///   positive and finite, a step `factor` outside `(0, 1]`, `every < 1`, `total < 1`, or a
    ///   cosine `floor` outside `[0, initial]`.
    public func validate() throws(OptimError) {
        func positive(_ name: String, _ value: Float) throws(OptimError) {
            guard value.isFinite, value > 0 else {
                throw .invalidParameter(name: name, value: Double(value), expected: "a positive finite value")
            }
        }
        switch self {
        case .constant(let eta):
            try positive("learning rate", eta)
        case .step(let initial, let factor, let every):
            try positive("learning rate", initial)
            guard factor > 0, factor <= 1 else {
                throw .invalidParameter(name: "step factor", value: Double(factor), expected: "a value in (0, 1]")
            }
            guard every >= 1 else {
                throw .invalidParameter(name: "step every", value: Double(every), expected: "at least 1 round")
            }
        case .cosine(let initial, let total, let floor):
            try positive("learning rate", initial)
            guard total >= 1 else {
                throw .invalidParameter(name: "cosine total", value: Double(total), expected: "at least 1 round")
            }
            guard floor >= 0, floor <= initial else {
                throw .invalidParameter(name: "cosine floor", value: Double(floor), expected: "a value in [0, \(initial)]")
            }
        }
    }
}
