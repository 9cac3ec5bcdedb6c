import Foundation
import HiSoFederation
import HiSoKernels
import HiSoTransformer

/// The `convergence sst2-minilm` scenario: DeComFL vs HiSo fine-tuning
/// all-MiniLM-L6-v2 on SST-2 in the paper's LLM setting (6 clients, 2 sampled per round,
/// tau = 1, P = 5, forward differences), over seeds and a learning-rate grid per method.
///
/// Usage (hiso-bench):
/// ```swift
/// var settings = SST2Scenario.Settings(modelDirectory: modelPath, dataDirectory: sst2Path)
/// settings.seeds = [0, 1, 2]; settings.rounds = 10_000     // defaults: the measured run below
/// let result = try SST2Scenario.run(settings) { line in print(line) }
/// print(result.table())                       // markdown
/// let json = try JSONEncoder().encode(result) // Codable
/// ```
/// One task (one client split, from ``Settings/splitSeed``) serves every run, so the encoder
/// cache is filled once; the run seeds vary the mini-batches, client sampling, perturbations and
/// head initialisation. Order: seeds outermost, then methods, then learning rates. When
/// ``Settings/wallBudgetSeconds`` is exceeded, no further run starts and the result says so.
///
/// Cost: `seeds * sum(grid sizes)` runs of ``Settings/rounds`` rounds; memory: one task and one run at a time.
public enum SST2Scenario {
    /// One method and its learning-rate grid.
    public struct MethodGrid: Codable, Sendable, Equatable {
        /// The method (`FederatedMethod.decomfl` or `FederatedMethod.hiso`).
        public var method: FederatedMethod
        /// The learning rates tried.
        public var learningRates: [Float]

        /// Creates a grid.
        public init(method: FederatedMethod, learningRates: [Float]) {
            self.method = method
            self.learningRates = learningRates
        }
    }

    /// Everything the scenario needs.
    public struct Settings: Codable, Sendable, Equatable {
        /// The model directory (see ``SST2MiniLMTask/loadModel(directory:)``).
        public var modelDirectory: String
        /// The GLUE SST-2 directory (train.tsv, dev.tsv).
        public var dataDirectory: String
        /// The task settings (6 clients, head-only by default).
        public var task: SST2MiniLMTask.Settings
        /// Methods and learning rates.
        public var grids: [MethodGrid]
        /// Run seeds (batches, client sampling, perturbations, head initialisation).
        public var seeds: [UInt64]
        /// The seed of the client split (one split for every run).
        public var splitSeed: UInt64
        /// Rounds per run.
        public var rounds: Int
        /// Evaluate on the dev split every this many rounds (the resolution of rounds-to-target).
        public var evaluateEvery: Int
        /// `m`, clients sampled per round.
        public var sampledClients: Int
        /// `tau`, local steps.
        public var localSteps: Int
        /// `P`, perturbations per step.
        public var perturbations: Int
        /// `mu`, the perturbation radius.
        public var mu: Float
        /// Dev-accuracy targets, in [0, 1].
        public var targets: [Double]
        /// The frozen-embedding reference accuracy the table compares against.
        public var baselineAccuracy: Double
        /// Start no new run after this many wall seconds (`nil`: no limit).
        public var wallBudgetSeconds: Double?

        /// The measured setting: DeComFL and HiSo with the grid {1e-3, 3e-3, 1e-2, 3e-2}, seeds 0-4,
        /// head-only on the first 20,000 training sentences, 20,000 rounds evaluated every 200,
        /// targets 75% and 80% (about 17 minutes on a busy 2-core machine, 5 of them filling the cache).
        public init(modelDirectory: String, dataDirectory: String) {
            self.modelDirectory = modelDirectory
            self.dataDirectory = dataDirectory
            task = SST2MiniLMTask.Settings(subset: "head", clients: 6, trainLimit: 20_000)
            grids = [
                MethodGrid(method: .decomfl, learningRates: [1e-3, 3e-3, 1e-2, 3e-2]),
                MethodGrid(method: .hiso, learningRates: [1e-3, 3e-3, 1e-2, 3e-2]),
            ]
            seeds = [0, 1, 2, 3, 4]
            splitSeed = 0
            rounds = 20_000
            evaluateEvery = 200
            sampledClients = 2
            localSteps = 1
            perturbations = 5
            mu = 1e-3
            targets = [0.75, 0.80]
            baselineAccuracy = 0.79
            wallBudgetSeconds = nil
        }

        /// The run configuration of one (method, learning rate, seed).
        public func runConfiguration(method: FederatedMethod, learningRate: Float, seed: UInt64) -> RunConfiguration {
            var c = RunConfiguration()
            c.method = method
            c.clients = task.clients
            c.sampledClients = sampledClients
            c.localSteps = localSteps
            c.perturbations = perturbations
            c.mu = mu
            c.scheme = .forward
            c.learningRate = learningRate
            c.rounds = rounds
            c.evaluateEvery = evaluateEvery
            c.seed = seed
            return c
        }
    }

    /// When a run first reached a dev-accuracy target.
    public struct Crossing: Codable, Sendable, Equatable {
        /// The target accuracy.
        public var target: Double
        /// The first evaluated round at or above the target (`nil`: never).
        public var round: Int?
        /// Uplink plus downlink bytes by then (`nil`: never).
        public var bytes: UInt64?
    }

    /// One run of the grid.
    public struct Run: Codable, Sendable, Equatable {
        /// The method.
        public var method: FederatedMethod
        /// The learning rate.
        public var learningRate: Float
        /// The seed.
        public var seed: UInt64
        /// Rounds completed.
        public var rounds: Int
        /// The best dev accuracy over the evaluations, and its round.
        public var bestAccuracy: Double, bestRound: Int
        /// The dev accuracy after the last round.
        public var finalAccuracy: Double
        /// Per target, the first crossing.
        public var crossings: [Crossing]
        /// Total uplink and downlink bytes.
        public var bytesUp: UInt64, bytesDown: UInt64
        /// Wall seconds (rounds and evaluations; the one-off encoder cache fill falls in the first run).
        public var wallSeconds: Double
        /// Why the run stopped early (divergence), `nil` when it completed.
        public var failure: String?
        /// The curve as (round, dev accuracy, bytes up + down) triples.
        public var curve: [[Double]]
    }

    /// A statistic over seeds: median, minimum, maximum, and how many seeds it covers.
    public struct Spread: Codable, Sendable, Equatable {
        /// Median (mean of the middle two for an even count).
        public var median: Double
        /// Minimum and maximum.
        public var min: Double, max: Double
        /// Seeds with a value.
        public var count: Int

        /// The spread of `values`, `nil` when empty.
        public init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            let n = sorted.count
            median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
            min = sorted[0]
            max = sorted[n - 1]
            count = n
        }

        /// Rounds or bytes to a target over every seed, an unreached seed counting as +infinity
        /// in the median (the rule of ``ComparisonSummary``): `nil` when the median seed did not
        /// reach it; otherwise min and max over the seeds that did, and ``count`` of them.
        init?(reaching values: [Double?]) {
            let median = ReportStatistics.median(values.map { $0 ?? .infinity })
            guard median.isFinite, let reached = Spread(values.compactMap { $0 }) else { return nil }
            self = reached
            self.median = median
        }
    }

    /// One (method, learning rate) over the seeds.
    public struct Summary: Codable, Sendable, Equatable {
        /// Per target: rounds and bytes to reach it, median over every seed with unreached seeds as
        /// +infinity (`nil` when the median seed did not reach it), min and max over those that did.
        public struct Target: Codable, Sendable, Equatable {
            /// The target accuracy.
            public var target: Double
            /// Rounds to the target.
            public var rounds: Spread?
            /// Bytes (up + down) to the target.
            public var bytes: Spread?
        }
        /// The method.
        public var method: FederatedMethod
        /// The learning rate.
        public var learningRate: Float
        /// Seeds run.
        public var seeds: Int
        /// Per target.
        public var targets: [Target]
        /// Best and final dev accuracy.
        public var bestAccuracy: Spread?, finalAccuracy: Spread?
        /// Wall seconds per run.
        public var wallSeconds: Spread?
        /// Runs that diverged.
        public var failures: Int
    }

    /// The scenario's outcome.
    public struct Result: Codable, Sendable, Equatable {
        /// The settings.
        public var settings: Settings
        /// Every run, in execution order.
        public var runs: [Run]
        /// One summary per (method, learning rate).
        public var summaries: [Summary]
        /// Per method, the summary of the learning rate with the highest median best dev accuracy.
        public var best: [Summary]
        /// Whether the wall budget cut the grid short.
        public var truncated: Bool
        /// Total wall seconds, model loading included.
        public var wallSeconds: Double

        /// Summarises `runs` per (method, learning rate) of `settings` and picks each method's best
        /// learning rate (highest median best dev accuracy, then median final accuracy).
        public init(settings: Settings, runs: [Run], truncated: Bool, wallSeconds: Double) {
            var summaries: [Summary] = []
            for grid in settings.grids {
                for rate in grid.learningRates {
                    let matching = runs.filter { $0.method == grid.method && $0.learningRate == rate }
                    summaries.append(summarize(matching, method: grid.method, rate: rate, targets: settings.targets))
                }
            }
            var best: [Summary] = []
            for grid in settings.grids {
                let candidates = summaries.filter { $0.method == grid.method && $0.seeds > 0 }
                if let top = candidates.max(by: { rank($0).lexicographicallyPrecedes(rank($1)) }) { best.append(top) }
            }
            self.settings = settings
            self.runs = runs
            self.summaries = summaries
            self.best = best
            self.truncated = truncated
            self.wallSeconds = wallSeconds
        }
    }

    /// Runs the scenario.
    ///
    /// - Parameters:
    ///   - settings: the scenario.
    ///   - progress: called with one line per finished run (and per task built).
    /// - Throws: ``SST2MiniLMTask/SetupError`` for a missing model or data set,
    ///   `FederationError` for an invalid configuration. Divergence is recorded, not thrown.
    public static func run(_ settings: Settings, progress: (String) -> Void = { _ in }) throws -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        func seconds() -> Double {
            let parts = (clock.now - start).components
            return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
        }
        let model = try SST2MiniLMTask.loadModel(directory: URL(fileURLWithPath: settings.modelDirectory))
        let data = try SST2MiniLMTask.loadData(directory: URL(fileURLWithPath: settings.dataDirectory))
        var runs: [Run] = []
        var truncated = false
        let task = try SST2MiniLMTask(
            model: model, train: data.train, dev: data.dev, settings: settings.task, seed: settings.splitSeed)
        progress("task ready: d = \(task.parameterCount), \(task.inner.trainTexts.count) train, \(task.inner.testTexts.count) dev, at \(Int(seconds())) s")
        seeds: for seed in settings.seeds {
            for grid in settings.grids {
                for rate in grid.learningRates {
                    if let budget = settings.wallBudgetSeconds, seconds() > budget {
                        truncated = true
                        break seeds
                    }
                    let configuration = settings.runConfiguration(method: grid.method, learningRate: rate, seed: seed)
                    let result = try runOne(configuration, task: task, targets: settings.targets)
                    runs.append(result)
                    progress(line(result))
                }
            }
        }
        return Result(settings: settings, runs: runs, truncated: truncated, wallSeconds: seconds())
    }

    /// Plays one run, recording divergence instead of throwing it.
    private static func runOne(_ configuration: RunConfiguration, task: SST2MiniLMTask, targets: [Double]) throws -> Run {
        let run = try FederatedRun(configuration: configuration, task: task)
        let failure = try play(run)
        let points = run.curve.filter { $0.testAccuracy != nil }
        let accuracy = { (point: CurvePoint) -> Double in point.testAccuracy ?? 0 }
        let best = points.max { accuracy($0) < accuracy($1) }
        var crossings: [Crossing] = []
        for target in targets {
            let hit = points.first { accuracy($0) >= target }
            crossings.append(Crossing(target: target, round: hit?.round, bytes: hit.map { $0.bytesUp + $0.bytesDown }))
        }
        return Run(
            method: configuration.method, learningRate: configuration.learningRate, seed: configuration.seed,
            rounds: run.completedRounds, bestAccuracy: best.map(accuracy) ?? 0, bestRound: best?.round ?? 0,
            finalAccuracy: points.last.map(accuracy) ?? 0, crossings: crossings, bytesUp: run.ledger.totalUp.total,
            bytesDown: run.ledger.totalDown.total, wallSeconds: run.curve.last?.wallSeconds ?? 0, failure: failure,
            curve: points.map { [Double($0.round), accuracy($0), Double($0.bytesUp + $0.bytesDown)] })
    }

    /// Plays `run` to the end; returns the divergence message, or `nil` when it completed.
    private static func play(_ run: FederatedRun) throws(FederationError) -> String? {
        do {
            try run.run()
            return nil
        } catch {
            guard case .diverged(let round, let what) = error else { throw error }
            return "diverged at round \(round): \(what)"
        }
    }

    /// Orders summaries by median best dev accuracy, then median final dev accuracy.
    static func rank(_ summary: Summary) -> [Double] {
        [summary.bestAccuracy?.median ?? 0, summary.finalAccuracy?.median ?? 0]
    }

    static func summarize(_ runs: [Run], method: FederatedMethod, rate: Float, targets: [Double]) -> Summary {
        let perTarget = targets.enumerated().map { i, target in
            Summary.Target(
                target: target,
                rounds: Spread(reaching: runs.map { $0.crossings[i].round.map { Double($0) } }),
                bytes: Spread(reaching: runs.map { $0.crossings[i].bytes.map { Double($0) } }))
        }
        return Summary(
            method: method, learningRate: rate, seeds: runs.count, targets: perTarget,
            bestAccuracy: Spread(runs.map(\.bestAccuracy)), finalAccuracy: Spread(runs.map(\.finalAccuracy)),
            wallSeconds: Spread(runs.map(\.wallSeconds)), failures: runs.filter { $0.failure != nil }.count)
    }

    private static func line(_ run: Run) -> String {
        let hits = run.crossings.map { c in
            "\(Int(c.target * 100))%: " + (c.round.map { "round \($0), \(c.bytes ?? 0) B" } ?? "not reached")
        }
        return "\(run.method) lr \(run.learningRate) seed \(run.seed): best \(percent(run.bestAccuracy)) at round \(run.bestRound), "
            + "final \(percent(run.finalAccuracy)), \(hits.joined(separator: "; ")), \(String(format: "%.1f", run.wallSeconds)) s"
            + (run.failure.map { " [\($0)]" } ?? "")
    }

    static func percent(_ value: Double) -> String { String(format: "%.2f%%", value * 100) }
}
