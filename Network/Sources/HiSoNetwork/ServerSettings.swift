import HiSoWire

/// How the server role runs rounds over the network (what is not part of the run's
/// configuration and does not change its bits given the same participation).
public struct ServerSettings: Sendable, Equatable {
    /// How long a round waits for the sampled clients' uploads.
    public var roundDeadline: Duration = .seconds(10)
    /// Uploads a round needs to close at its deadline (at most `m`).
    public var minimumAnswers: Int = 1
    /// Connected clients a round waits for before it samples.
    public var minimumClients: Int = 1
    /// When a round has fewer than ``minimumAnswers`` answers at its deadline: `true` = sample
    /// again among the clients still connected; `false` = keep waiting for the sampled ones.
    public var resample: Bool = false
    /// Evaluate the model every this many rounds (`nil` = the run's `evaluateEvery`).
    public var evaluateEvery: Int?
    /// Append a checkpoint of `x` and `H` to the log every this many rounds.
    public var checkpointEvery: Int = 10
    /// A client unheard of for this long is no longer connected (not sampled).
    public var liveness: Duration = .seconds(10)
    /// How long a task request waits for an assignment before answering "idle".
    public var pollTimeout: Duration = .seconds(2)

    /// The defaults above.
    public init() {}

    /// Checks the settings against `m`, the clients sampled per round.
    ///
    /// - Throws: ``NetworkError/setup(_:)`` naming the setting.
    public func validate(sampledClients: Int) throws(NetworkError) {
        guard minimumAnswers >= 1, minimumAnswers <= sampledClients else {
            throw .setup("minimum answers is \(minimumAnswers), expected 1...\(sampledClients) (m)")
        }
        guard minimumClients >= 1 else { throw .setup("minimum clients is \(minimumClients), expected at least 1") }
        guard checkpointEvery >= 1, (evaluateEvery ?? 1) >= 1 else {
            throw .setup("checkpoint and evaluation intervals must be at least 1 round")
        }
        guard roundDeadline > .zero, liveness > .zero, pollTimeout > .zero else {
            throw .setup("deadline, liveness and poll timeout must be positive")
        }
    }
}
