/// What a sampled client sends in a scalar-only round: its `tau P` finite-difference scalars
/// (`2 tau P` with HiSo's curvature rule).
///
/// ``scalars`` is step-major: entry `k * P + p` is `g_{k,p}`; with curvature, step `k` holds
/// `g_{k,0..<P}` then `c_{k,0..<P}` at `k * 2P`. ``loss`` is the client's `f(x)` at
/// its first local step (for the training-loss trace; not counted as traffic — a deployment
/// would not send it).
public struct ClientUpload: Codable, Sendable, Equatable {
    /// The sending client.
    public var client: Int
    /// The round the scalars belong to.
    public var round: UInt64
    /// `tau P` (or `2 tau P`) scalars, step-major.
    public var scalars: [Float]
    /// The client's loss at the round-start model on its first batch.
    public var loss: Float

    /// Creates an upload.
    public init(client: Int, round: UInt64, scalars: [Float], loss: Float) {
        self.client = client
        self.round = round
        self.scalars = scalars
        self.loss = loss
    }

    /// Whether every scalar is finite (non-finite uploads are excluded from the aggregate).
    public var isFinite: Bool { scalars.allSatisfy(\.isFinite) }
}
