import HiSoOptim

/// A typed error for everything that can go wrong when configuring, running or resuming a
/// federated run.
///
/// Each case says what was wrong and where (the configuration key, the round, the file), with the
/// expected and found values; ``description`` renders it as one sentence.
public enum FederationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A configuration value is out of range: `key` names the field, `expected` the allowed values.
    case invalidConfiguration(key: String, value: String, expected: String)
    /// The task and the configuration disagree (client count, parameter count, gradient support).
    case taskMismatch(what: String, expected: String, found: String)
    /// The run diverged: a loss or the parameters became non-finite at `round`.
    case diverged(round: UInt64, what: String)
    /// Every sampled client was excluded at `round` (non-finite scalars), so nothing can be aggregated.
    case noValidUploads(round: UInt64, excluded: [Int])
    /// A client asked for a round the server's log no longer (or not yet) holds.
    case roundNotInLog(round: UInt64, available: Range<UInt64>)
    /// Client `client` sent more than one upload for `round`.
    case duplicateUpload(round: UInt64, client: Int)
    /// A received value has the wrong length (`what` names it).
    case dimensionMismatch(what: String, expected: Int, found: Int)
    /// A checkpoint file could not be read, written or decoded.
    case checkpoint(file: String, reason: String)
    /// The checkpoint belongs to a different configuration than the one it is resumed with.
    case checkpointMismatch(file: String, reason: String)
    /// The task failed (data or model error): where, and the task's own error.
    case task(TaskFailure)
    /// A round record was rejected by the optimizer layer (a malformed per-client table).
    case optimizer(OptimError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let key, let value, let expected):
            return "invalid configuration: '\(key)' is \(value), expected \(expected)"
        case .taskMismatch(let what, let expected, let found):
            return "task does not match the configuration: \(what) expected \(expected), found \(found)"
        case .diverged(let round, let what):
            return "the run diverged at round \(round): \(what); results up to the previous round are kept"
        case .noValidUploads(let round, let excluded):
            return "round \(round): every sampled client (\(excluded)) returned non-finite scalars"
        case .roundNotInLog(let round, let available):
            return "round \(round) is not in the server's round log (it holds rounds \(available.lowerBound)..<\(available.upperBound))"
        case .duplicateUpload(let round, let client):
            return "round \(round): client \(client) sent more than one upload"
        case .dimensionMismatch(let what, let expected, let found):
            return "\(what): expected \(expected) values, found \(found)"
        case .checkpoint(let file, let reason):
            return "checkpoint \(file): \(reason)"
        case .checkpointMismatch(let file, let reason):
            return "checkpoint \(file) does not belong to this run: \(reason)"
        case .task(let failure):
            return "task error: \(failure)"
        case .optimizer(let error):
            return "round record rejected: \(error)"
        }
    }
}
