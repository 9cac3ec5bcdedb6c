/// A task's own error, with where in the run it happened: the typed payload of
/// ``FederationError/task(_:)``.
///
/// The task's error is kept as it was thrown (``underlying``), so callers can still match on its
/// type; equality compares the stage and the error's description.
public struct TaskFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the task failed.
    public enum Stage: Sendable, Equatable, CustomStringConvertible {
        /// Building the task (reading data, loading a model); the string names the source.
        case setup(String)
        /// A client's loss or gradient at `round`.
        case loss(client: Int, round: UInt64)
        /// The evaluation after `completedRounds` rounds.
        case evaluation(completedRounds: Int)

        public var description: String {
            switch self {
            case .setup(let source): return "setting up \(source)"
            case .loss(let client, let round): return "client \(client), round \(round)"
            case .evaluation(let rounds): return "evaluation after round \(rounds)"
            }
        }
    }

    /// Where the task failed.
    public let stage: Stage
    /// The task's error, as thrown.
    public let underlying: any Error

    /// Wraps `underlying`, thrown at `stage`.
    public init(stage: Stage, underlying: any Error) {
        self.stage = stage
        self.underlying = underlying
    }

    public var description: String { "\(stage): \(underlying)" }

    public static func == (a: TaskFailure, b: TaskFailure) -> Bool {
        a.stage == b.stage && "\(a.underlying)" == "\(b.underlying)"
    }
}
