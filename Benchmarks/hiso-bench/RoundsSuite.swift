import ArgumentParser
import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels

/// `hiso-bench rounds`: end-to-end federated milliseconds per round (server, sampled clients,
/// ZO estimates, replay, H update and ledger; evaluation excluded) for
/// - `digits`: the digits-reference setting (built-in digits, MLP 64-32-10, 8 clients, 2 sampled,
///   tau 1, P 5, mu 1e-3, forward differences, batch 32) — the peer needs 13-15 ms/round;
/// - `fmnist-cnn`: CNN_MNIST on Fashion-MNIST, 64 clients, Dirichlet alpha 1, 4 sampled, P 5,
///   forward, batch 32;
/// - `synthetic`: a d = 1e7 diagonal quadratic (log-normal spectrum), 8 clients, 2 sampled, P 5;
/// - `sst2-last-1`, `sst2-last-2`, `sst2-lora-8`, `sst2-non-embedding` (need `--model-dir` and
///   `--sst2-dir`): all-MiniLM-L6-v2 fine-tuning on SST-2 with that trainable subset, 6 clients,
///   2 sampled, P 5, forward differences, batch 32, the first 2,048 training sentences, the
///   frozen prefix's cache filled before timing. Besides `round`, each records the round's parts
///   in ms/round (``sst2Parts(_:config:backend:context:)``): `tail_gemm_floor` (the round's
///   floor; `round` carries the ratio to it, issue target <= 1.15 for last-1 and last-2),
///   `tail_forwards`, `prefix`, `head`, and `vector` (the same run with a constant loss);
/// for DeComFL and HiSo, per backend and thread count; with `--sync exact`, in the catch-up
/// setting (64 clients, 4 sampled) in fast and exact sync mode side by side (RoundsSuite+Sync.swift).
///
/// Timing: a 6-round probe sets the rounds per trial (from its median round time); then one
/// long run per entry whose observer timestamps every finished round; after 2 warm-up rounds,
/// `--trials` groups of rounds (each at least the trial length) give per-round means whose
/// median is reported. Evaluation is replaced by a no-op so only rounds are timed.
///
/// JSON: `{"metadata": {...}, "results": [{"name": "round", "task", "method", "backend",
/// "threads", "d", "value", "unit": "ms/round", "trials", "spread", "sync", "clients", "sampled", "floor"?, "ratio"?}]}` (the harness's
/// `BenchmarkResult` has no `task` field, so this suite writes its own document).
struct RoundsSuite: BenchmarkSuite {
    static let configuration = CommandConfiguration(
        commandName: "rounds",
        abstract: "End-to-end federated ms/round: digits (peer setting), fmnist-cnn, d = 1e7 synthetic.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Tasks (repeatable): digits, fmnist-cnn, synthetic. Default: all three (digits and synthetic with --quick).")
    var task: [String] = []

    @Option(help: "Methods (repeatable): decomfl, hiso. Default: both.")
    var method: [String] = []

    @Option(help: "Client sync modes (repeatable): fast, exact. Given, every entry runs 64 clients with 4 sampled, in fast mode and each listed mode (exact: clients replay the rounds they missed), exact reported against fast. Default: fast on each task's own setting.")
    var sync: [String] = []

    @Option(help: "The all-MiniLM-L6-v2 directory for the sst2 tasks (from Utils/fetch-minilm).")
    var modelDir: String?

    @Option(help: "A GLUE SST-2 directory (train.tsv, dev.tsv) for the sst2 tasks.")
    var sst2Dir: String?

    /// One JSON entry.
    struct Entry: Encodable {
        var name = "round"
        var task: String
        var method: String
        var backend: String
        var threads: Int
        var d: Int
        var value: Double
        var unit = "ms/round"
        var trials: Int
        var spread: Double
        var roundsPerTrial: Int
        var sync = SyncMode.fast.rawValue
        var clients: Int
        var sampled: Int
        /// The floor (same unit) and `value / floor`, where one applies.
        var floor: Double?
        var ratio: Double?
    }

    func validate() throws {
        for name in task where !(["digits", "fmnist-cnn", "synthetic"] + Self.sst2Tasks).contains(name) {
            throw ValidationError("unknown task '\(name)': expected digits, fmnist-cnn, synthetic or \(Self.sst2Tasks.joined(separator: ", "))")
        }
        if task.contains(where: Self.sst2Tasks.contains), modelDir == nil || sst2Dir == nil {
            throw ValidationError("the sst2 tasks need --model-dir DIR (run Utils/fetch-minilm) and --sst2-dir DIR (GLUE SST-2)")
        }
        for name in method where ComparedMethod(rawValue: name) == nil || !["decomfl", "hiso"].contains(name) {
            throw ValidationError("unknown method '\(name)': expected decomfl or hiso")
        }
        try validateSync()
    }

    mutating func run() throws {
        let report = Report(suite: "rounds", options: options)
        let context = BenchmarkContext(options: options, report: report)
        let entries = try measureAll(in: context)
        if options.json {
            FileHandle.standardOutput.write(try ReportJSON.data(RoundsDocument(metadata: .current(suite: "rounds", trials: options.trials, quick: options.quick), results: entries)))
        }
    }

    func run(in context: BenchmarkContext) throws {
        _ = try measureAll(in: context)
    }

    /// Measures every selected entry, recording each in the harness report (table) as it goes.
    func measureAll(in context: BenchmarkContext) throws -> [Entry] {
        let tasks = task.isEmpty ? (context.quick ? ["digits", "synthetic"] : ["digits", "fmnist-cnn", "synthetic"]) : task
        let methods = (method.isEmpty ? ["decomfl", "hiso"] : method).compactMap(ComparedMethod.init(rawValue:))
        var entries: [Entry] = []
        let catalog = TaskCatalog()
        for name in tasks {
            for kind in context.backends {
                for threads in context.threadCounts {
                    let (spec, base) = Self.sst2Tasks.contains(name)
                        ? Self.sst2Setting(name, modelDirectory: modelDir ?? "", dataDirectory: sst2Dir ?? "")
                        : Self.setting(name, quick: context.quick)
                    var config = catchUpSetting(base)
                    config.backend = kind
                    config.threads = threads
                    let backend = try context.backend(kind, threads: threads)
                    context.note("rounds: \(name) on \(kind) x\(threads): building the task")
                    let inner = try catalog.makeTask(spec, clients: config.clients, localSteps: config.localSteps, backend: backend)
                    try Self.warm(inner)
                    let task = RoundsOnlyTask(inner)
                    let parts = try Self.sst2Parts(inner, config: config, backend: backend, context: context)
                    let floor = parts.first { $0.name == "tail_gemm_floor" }?.ms
                    for m in methods {
                        for mode in syncModes {
                            var synced = m.configure(config)
                            synced.syncMode = mode
                            var entry = try measure(name, m, config: synced, task: task, context: context)
                            entry.floor = floor
                            entry.ratio = floor.map { entry.value / $0 }
                            entries.append(entry)
                            context.record(BenchmarkResult(
                                name: "round", task: name, method: m.rawValue, backend: kind, threads: threads,
                                d: sync.isEmpty ? entry.d : nil, shape: sync.isEmpty ? nil : syncShape(entry),
                                value: entry.value, unit: "ms/round", floor: floor, floorName: floor == nil ? nil : "tail_gemm_floor",
                                trials: entry.trials, spread: entry.spread))
                        }
                        guard !parts.isEmpty else { continue }
                        var vector = try measure(name, m, config: m.configure(config), task: RoundsOnlyTask(ConstantLossTask(inner)), context: context)
                        vector.name = "vector"
                        entries.append(vector)
                        context.record(BenchmarkResult(
                            name: "vector", task: name, method: m.rawValue, backend: kind, threads: threads, d: vector.d,
                            value: vector.value, unit: "ms/round", trials: vector.trials, spread: vector.spread))
                    }
                    for part in parts {
                        entries.append(Entry(
                            name: part.name, task: name, method: "any", backend: kind.rawValue, threads: threads,
                            d: inner.parameterCount, value: part.ms, trials: context.trials, spread: part.spread, roundsPerTrial: 0,
                            clients: config.clients, sampled: config.sampledClients))
                        context.record(BenchmarkResult(
                            name: part.name, task: name, backend: kind, threads: threads, d: inner.parameterCount,
                            value: part.ms, unit: "ms/round", trials: context.trials, spread: part.spread))
                    }
                }
            }
        }
        recordSyncRatios(entries, in: context)
        return entries
    }

    /// The task specification and configuration of a named entry.
    static func setting(_ name: String, quick: Bool) -> (TaskSpecification, RunConfiguration) {
        switch name {
        case "fmnist-cnn":
            let d = TaskDefaults(.fmnistCNN)
            return (d.specification, d.configuration)
        case "synthetic":
            var d = TaskDefaults(.quadratic)
            d.specification.dimension = quick ? 1_000_000 : 10_000_000
            return (d.specification, d.configuration)
        default:
            let d = TaskDefaults(.digits)
            return (d.specification, d.configuration)
        }
    }

    /// Times one (task, method, backend, threads) entry.
    func measure(_ name: String, _ method: ComparedMethod, config base: RunConfiguration, task: RoundsOnlyTask, context: BenchmarkContext) throws -> Entry {
        var config = base
        config.evaluateEvery = Int.max / 2
        config.learningRate = 1e-3
        let warmup = 2
        var probe = config
        probe.rounds = 6
        let probeStamps = try Self.roundStamps(probe, task)
        let intervals = zip(probeStamps.dropFirst(), probeStamps).map { Self.seconds($0 - $1) }.sorted()
        let typical = intervals.isEmpty ? 1e-3 : intervals[intervals.count / 2]
        let perTrial = max(1, Int((context.minTrialSeconds / max(typical, 1e-6)).rounded(.up)))
        config.rounds = warmup + perTrial * context.trials + 1
        let stamps = try Self.roundStamps(config, task)
        var trialTimes: [Double] = []
        for t in 0..<context.trials {
            let start = warmup + t * perTrial
            trialTimes.append(Self.seconds(stamps[start + perTrial] - stamps[start]) / Double(perTrial))
        }
        let times = TrialTimes(seconds: trialTimes, iterations: perTrial)
        return Entry(
            task: name, method: method.rawValue, backend: config.backend?.rawValue ?? "default", threads: config.threads,
            d: task.parameterCount, value: 1000 * times.median, trials: context.trials, spread: times.spread, roundsPerTrial: perTrial,
            sync: config.syncMode.rawValue, clients: config.clients, sampled: config.sampledClients)
    }

    /// Runs `config` on `task` and returns the time at which each round finished.
    static func roundStamps(_ config: RunConfiguration, _ task: RoundsOnlyTask) throws -> [ContinuousClock.Instant] {
        let stamps = StampCollector()
        try FederatedRun(configuration: config, task: task).run { event in stamps.record(event) }
        return stamps.instants
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}

/// A task that forwards training to another task and makes evaluation free (the timed rounds
/// must not include test-set passes).
final class RoundsOnlyTask: FederatedTask {
    let inner: any FederatedTask

    init(_ inner: any FederatedTask) { self.inner = inner }

    var parameterCount: Int { inner.parameterCount }
    var clientCount: Int { inner.clientCount }
    var supportsGradient: Bool { inner.supportsGradient }

    func initialParameters(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>) {
        inner.initialParameters(seed: seed, into: x)
    }

    func loss(at x: UnsafeBufferPointer<Float>, batch: BatchKey) throws -> Float {
        try inner.loss(at: x, batch: batch)
    }

    func lossAndGradient(at x: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, batch: BatchKey) throws -> Float {
        try inner.lossAndGradient(at: x, gradient: gradient, batch: batch)
    }

    func makeReplica(backend: any KernelBackend) throws -> (any FederatedTask)? {
        try inner.makeReplica(backend: backend).map(RoundsOnlyTask.init)
    }

    /// A constant evaluation (no forward passes).
    func evaluate(at x: UnsafeBufferPointer<Float>) throws -> TaskEvaluation {
        TaskEvaluation(testAccuracy: nil, testLoss: 0, trainLoss: 0)
    }
}

/// Collects the time of every finished round.
final class StampCollector {
    private(set) var instants: [ContinuousClock.Instant] = []

    func record(_ event: RunEvent) -> RunControl {
        if case .roundFinished = event { instants.append(ContinuousClock.now) }
        return .proceed
    }
}
