/// Bytes of one message direction, split by category (docs/ALGORITHM.md, "Communication ledger").
///
/// - ``header``: round indices (uint64, 8 bytes each).
/// - ``scalars``: float32 ZO scalars (4 bytes each).
/// - ``seeds``: explicit seeds (uint64). Our methods derive seeds from the round index, so this
///   stays 0; the category exists so that protocols that ship seeds can be compared.
/// - ``fullVectors``: d-dimensional float32 vectors (models, deltas, H), 4 bytes per entry.
public struct TrafficBytes: Codable, Sendable, Equatable, Hashable {
    /// Round-index bytes.
    public var header: UInt64 = 0
    /// Scalar bytes.
    public var scalars: UInt64 = 0
    /// Seed bytes.
    public var seeds: UInt64 = 0
    /// Full-vector bytes.
    public var fullVectors: UInt64 = 0

    /// Creates a byte count.
    public init(header: UInt64 = 0, scalars: UInt64 = 0, seeds: UInt64 = 0, fullVectors: UInt64 = 0) {
        self.header = header
        self.scalars = scalars
        self.seeds = seeds
        self.fullVectors = fullVectors
    }

    /// Sum of all categories.
    public var total: UInt64 { header + scalars + seeds + fullVectors }

    /// Category-wise sum.
    public static func + (a: TrafficBytes, b: TrafficBytes) -> TrafficBytes {
        TrafficBytes(header: a.header + b.header, scalars: a.scalars + b.scalars,
                     seeds: a.seeds + b.seeds, fullVectors: a.fullVectors + b.fullVectors)
    }

    /// Category-wise accumulation.
    public static func += (a: inout TrafficBytes, b: TrafficBytes) { a = a + b }
}

/// The traffic of one client in one round.
public struct LedgerEntry: Codable, Sendable, Equatable {
    /// The round.
    public var round: UInt64
    /// The client.
    public var client: Int
    /// Bytes the client sent to the server.
    public var up: TrafficBytes
    /// Bytes the server sent to the client.
    public var down: TrafficBytes

    /// Creates an entry.
    public init(round: UInt64, client: Int, up: TrafficBytes, down: TrafficBytes) {
        self.round = round
        self.client = client
        self.up = up
        self.down = down
    }
}
