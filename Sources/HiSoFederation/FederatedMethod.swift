/// The training methods a ``FederatedRun`` can execute (docs/ALGORITHM.md).
///
/// - ``decomfl``: ZO-SGD with scalar-only communication (identity preconditioner).
/// - ``hiso``: DeComFL with the learned diagonal preconditioner (`HiSoPreconditioner` in HiSoOptim, configured by ``RunConfiguration``).
/// - ``mezo``: centralised MeZO, DeComFL with one client that always participates.
/// - ``fedzo``: clients run ZO-SGD locally and upload d-dimensional model deltas.
/// - ``fedavg``: clients run SGD with true gradients and upload deltas; the server averages them.
/// - ``fedadam``, ``fedadagrad``, ``fedyogi``: FedAvg deltas with an adaptive server update.
public enum FederatedMethod: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case decomfl
    case hiso
    case mezo
    case fedzo
    case fedavg
    case fedadam
    case fedadagrad
    case fedyogi

    /// Whether the method exchanges only scalars and the round index (DeComFL, HiSo, MeZO).
    public var isScalarOnly: Bool {
        switch self {
        case .decomfl, .hiso, .mezo: return true
        case .fedzo, .fedavg, .fedadam, .fedadagrad, .fedyogi: return false
        }
    }

    /// Whether clients need true gradients (`FederatedTask.lossAndGradient`).
    public var needsGradient: Bool {
        switch self {
        case .fedavg, .fedadam, .fedadagrad, .fedyogi: return true
        case .decomfl, .hiso, .mezo, .fedzo: return false
        }
    }

    public var description: String { rawValue }
}

/// How simulated clients obtain the round-start model in the scalar-only methods.
///
/// - ``exact``: every client keeps its own snapshot (x and H) and replays the server's round log
///   when it is sampled, as a real deployment would; the result is checked bit for bit in tests.
///   Memory: one x (and, for HiSo, H and s) per client.
/// - ``fast``: sampled clients read the server's x directly (no replay, no per-client d-vectors);
///   the ledger still counts the traffic the exact protocol would send. Same curves as ``exact``.
public enum SyncMode: String, Codable, Sendable, CaseIterable {
    case exact
    case fast
}
