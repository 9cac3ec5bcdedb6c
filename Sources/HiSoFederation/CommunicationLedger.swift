/// Counts the bytes every client sends and receives, per round and by category, with
/// cumulative totals (docs/ALGORITHM.md, "Communication ledger").
///
/// What each method sends (`P` perturbations, `tau` local steps, `d` parameters, float32
/// scalars = 4 bytes, round index = uint64 = 8 bytes):
/// - **DeComFL, HiSo, MeZO** — a client sampled in round `r` that last synchronised at round `r0`:
///   - down: the round index `r` (8 bytes header), then the server's round records
///     `r0 ..< r` it missed, each `4 tau P` scalar bytes (the record's own round index is implied
///     by the contiguous range). With the HiSo paper rule each record also carries the per-client
///     scalars of local step 0 of the clients that entered the aggregate, `4 m' P` bytes.
///     If the records are no longer in the log (pruned or beyond the retention window) the client
///     instead downloads the model, `4 d` full-vector bytes, plus H (`4 d`) for HiSo.
///   - up: the `tau P` scalars, `4 tau P` bytes.
///   So a client sampled every round moves `4 tau P` bytes each way plus 8 header bytes down
///   (40 scalar bytes per round for `tau = 1`, `P = 5`, as in the paper).
/// - **FedZO, FedAvg, FedAdam/FedAdagrad/FedYogi**: down 8 header + `4 d` (the model), up `4 d`
///   (the delta).
/// Uploads of excluded (non-finite) or attacking clients are counted: they were sent.
///
/// Memory: one ``LedgerEntry`` per sampled client per round (when ``keepsEntries``), plus per-client
/// totals.
public struct CommunicationLedger: Codable, Sendable, Equatable {
    /// Cumulative bytes sent up, over all clients and rounds.
    public private(set) var totalUp = TrafficBytes()
    /// Cumulative bytes sent down, over all clients and rounds.
    public private(set) var totalDown = TrafficBytes()
    /// Cumulative bytes per client (up).
    public private(set) var clientUp: [TrafficBytes]
    /// Cumulative bytes per client (down).
    public private(set) var clientDown: [TrafficBytes]
    /// Every entry recorded so far, in order (empty when ``keepsEntries`` is false).
    public private(set) var entries: [LedgerEntry] = []
    /// Whether per-round entries are kept (the totals are always kept).
    public let keepsEntries: Bool
    /// Number of full-model downloads caused by clients beyond the log (retention fallback).
    public private(set) var fullModelDownloads = 0

    /// Creates an empty ledger for `clients` clients.
    public init(clients: Int, keepsEntries: Bool = true) {
        clientUp = Array(repeating: TrafficBytes(), count: clients)
        clientDown = Array(repeating: TrafficBytes(), count: clients)
        self.keepsEntries = keepsEntries
    }

    /// Records one client's traffic in one round.
    ///
    /// - Parameters:
    ///   - entry: the client's bytes up and down in the round.
    ///   - fullModelFallback: whether the downlink was a full-model download instead of a
    ///     catch-up (counted in ``fullModelDownloads``).
    /// - Complexity: O(1) amortised.
    public mutating func record(_ entry: LedgerEntry, fullModelFallback: Bool = false) {
        totalUp += entry.up
        totalDown += entry.down
        clientUp[entry.client] += entry.up
        clientDown[entry.client] += entry.down
        if fullModelFallback { fullModelDownloads += 1 }
        if keepsEntries { entries.append(entry) }
    }

    /// The entries of one round.
    ///
    /// - Complexity: O(entries).
    public func entries(ofRound round: UInt64) -> [LedgerEntry] {
        entries.filter { $0.round == round }
    }
}
