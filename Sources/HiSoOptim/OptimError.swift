/// Errors raised by HiSoOptim for bad input: wrong dimensions, malformed round records,
/// non-finite values and invalid hyperparameters.
///
/// Every case says what was wrong and where (expected versus found).
public enum OptimError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A buffer has the wrong length.
    case dimensionMismatch(what: String, expected: Int, found: Int)
    /// A hyperparameter is outside its valid range.
    case invalidParameter(name: String, value: Double, expected: String)
    /// A loss evaluation returned NaN or infinity.
    case nonFiniteLoss(round: UInt64, value: Float)
    /// A finite-difference scalar is NaN or infinity.
    case nonFiniteScalar(round: UInt64, index: Int, value: Float)
    /// A round record cannot be applied: it has no steps, ragged per-client rows or lacks the
    /// per-client scalars the paper rule needs.
    case malformedRecord(round: UInt64, reason: String)

    /// A sentence saying what was wrong and where.
    public var description: String {
        switch self {
        case .dimensionMismatch(let what, let expected, let found):
            return "\(what): expected \(expected) floats, found \(found)"
        case .invalidParameter(let name, let value, let expected):
            return "invalid \(name) = \(value): expected \(expected)"
        case .nonFiniteLoss(let round, let value):
            return "round \(round): the loss is not finite (\(value)); the run diverged"
        case .nonFiniteScalar(let round, let index, let value):
            return "round \(round): finite-difference scalar \(index) is not finite (\(value))"
        case .malformedRecord(let round, let reason):
            return "round record \(round) is malformed: \(reason)"
        }
    }
}
