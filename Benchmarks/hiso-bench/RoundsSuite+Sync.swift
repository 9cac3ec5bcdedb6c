import ArgumentParser
import HiSoFederation
import HiSoKernels

/// `hiso-bench rounds --sync exact`: rounds with catch-up.
///
/// In ``SyncMode/exact`` every client keeps its own copy of the model and, when sampled, first
/// replays the rounds it missed (about `clients / sampled` rounds each time), so a round costs the
/// fast round plus the sampled clients' replays. With `--sync` given, every entry runs the
/// catch-up setting — 64 clients, 4 sampled (a client is sampled every 16 rounds on average) —
/// once per listed mode, and `fast` is always among them: it is the floor that the exact round
/// is reported against (`round_exact` with floor `round_fast` and their ratio, in the same run
/// and on the same task).
extension RoundsSuite {
    /// The clients and sampled clients of the catch-up setting.
    static let catchUpClients = (clients: 64, sampled: 4)

    /// The sync modes to time: `[.fast]` without `--sync`; otherwise the listed modes with
    /// `fast` first.
    var syncModes: [SyncMode] {
        let listed = sync.compactMap(SyncMode.init(rawValue:))
        return [.fast] + listed.filter { $0 != .fast }
    }

    /// Checks the `--sync` values.
    func validateSync() throws {
        for name in sync where SyncMode(rawValue: name) == nil {
            throw ValidationError("unknown sync mode '\(name)': expected fast or exact")
        }
    }

    /// `config` in the catch-up setting when `--sync` is given (unchanged otherwise).
    func catchUpSetting(_ config: RunConfiguration) -> RunConfiguration {
        guard !sync.isEmpty else { return config }
        var c = config
        c.clients = Self.catchUpClients.clients
        c.sampledClients = Self.catchUpClients.sampled
        return c
    }

    /// The table's shape cell of a `--sync` entry: `sync d=<d> <clients>c<sampled>s` (task and
    /// method have their own columns).
    func syncShape(_ entry: Entry) -> String {
        "\(entry.sync) d=\(entry.d) \(entry.clients)c\(entry.sampled)s"
    }

    /// Records `round_exact` (ms/round) with the fast round as its floor, and so the ratio exact /
    /// fast, for every entry timed in both modes.
    func recordSyncRatios(_ entries: [Entry], in context: BenchmarkContext) {
        for exact in entries where exact.sync == SyncMode.exact.rawValue {
            guard let fast = entries.first(where: {
                $0.sync == SyncMode.fast.rawValue && $0.task == exact.task && $0.method == exact.method
                    && $0.backend == exact.backend && $0.threads == exact.threads
            }), let backend = BackendKind(rawValue: exact.backend) else { continue }
            context.record(BenchmarkResult(
                name: "round_exact", task: exact.task, method: exact.method, backend: backend, threads: exact.threads, shape: syncShape(exact),
                value: exact.value, unit: "ms/round", floor: fast.value, floorName: "round_fast",
                trials: exact.trials, spread: exact.spread))
        }
    }
}
