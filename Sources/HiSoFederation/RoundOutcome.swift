import HiSoOptim

/// What the server concluded from one scalar-only round.
public struct RoundOutcome: Sendable, Equatable {
    /// The record appended to the log (and sent downlink to later-sampled clients); it has no
    /// steps for the full-vector baselines, which keep no round log.
    public var record: RoundRecord
    /// The clients whose uploads entered the aggregate, ascending.
    public var included: [Int]
    /// The clients excluded because their scalars were not finite, ascending.
    public var excluded: [Int]
    /// Mean of the included clients' losses at the round-start model.
    public var meanClientLoss: Float
}
