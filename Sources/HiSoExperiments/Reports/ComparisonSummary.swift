import HiSoFederation

/// The summary of a comparison: per method, rounds and bytes to each target accuracy (median,
/// min and max over seeds), the speedup against a baseline, final accuracy, traffic and time per
/// round, and which learning rate was chosen from a grid.
///
/// Rules (stated once here; the table, the JSON and BENCHMARKS.md use them):
/// - *Rounds to a target* of one run: the first evaluated round whose test accuracy is at least
///   the target. A run that never reaches it counts as +infinity.
/// - *Median* over seeds: the middle value (mean of the two middle values for an even count),
///   nil when it is infinite, that is when half or more of the seeds never reached the target.
///   *Min* is nil when no seed reached it, *max* is nil when any seed did not.
/// - *Speedup* at a target: baseline median rounds / method median rounds (nil if either is nil),
///   each at its own selected rate (``baselineLearningRate`` and the method's). *Same-rate
///   speedup*: the baseline's median rounds at the method's selected rate over the method's
///   (nil when the baseline did not run that rate), so a headline that rests on comparing
///   different rates shows as such.
/// - *Bytes to a target*: the median over seeds of the cumulative bytes, up plus down over all
///   clients, at the round that reached it (unreached = +infinity, as for rounds).
/// - *Learning-rate selection* (when a method ran with several learning rates) reads the
///   validation split (held out from the training data) when every run of the method evaluated
///   one, and the test accuracy otherwise (``MethodResult/selectionSplit`` says which): only the rates at
///   which no seed diverged (non-finite loss, or training loss above the plan's multiple of the
///   initial loss) are eligible; when every rate diverged on some seed, all are, and the report
///   lists the divergences. Among the eligible rates, take the highest target that at least one
///   reaches in the median; pick the fewest median rounds to it; ties go to the higher median
///   final accuracy, then to the smaller learning rate. If none reaches any target, pick the
///   highest median final accuracy (a diverged run's final accuracy counts as -infinity).
public struct ComparisonSummary: Sendable, Equatable {
    /// Rounds and bytes to one target accuracy, over the seeds of one method.
    public struct TargetResult: Sendable, Equatable {
        /// The target test accuracy.
        public var target: Double
        /// Median rounds over seeds; nil when the median seed did not reach the target.
        public var medianRounds: Double?
        /// Fewest rounds of any seed; nil when no seed reached the target.
        public var minRounds: Int?
        /// Most rounds of any seed; nil when some seed did not reach the target.
        public var maxRounds: Int?
        /// How many seeds reached the target.
        public var reachedSeeds: Int
        /// Median cumulative bytes (up + down) at the round reaching the target; nil as for rounds.
        public var medianBytes: Double?
        /// Baseline median rounds / this median rounds; nil when either is nil or there is no baseline.
        public var speedup: Double?
        /// The baseline's median rounds at this method's selected rate / this median rounds; nil
        /// when either is nil or the baseline did not run that rate.
        public var sameRateSpeedup: Double? = nil
    }

    /// One learning rate of a method's grid with the numbers the selection rule looked at.
    public struct LearningRateCandidate: Sendable, Equatable {
        /// The learning rate.
        public var learningRate: Double
        /// Median rounds to each target on the selection split (nil = not reached by the median
        /// seed), in target order.
        public var medianRounds: [Double?]
        /// Median final accuracy on the selection split over seeds (NaN if every seed diverged
        /// before evaluating).
        public var medianFinalAccuracy: Double
        /// Seeds that diverged at this rate (such a rate is not eligible while another is).
        public var divergedSeeds: Int = 0
        /// Whether the selection rule chose it.
        public var selected: Bool
    }

    /// The result of one method at its selected learning rate.
    public struct MethodResult: Sendable, Equatable {
        /// The method's name.
        public var method: String
        /// The selected learning rate.
        public var learningRate: Double
        /// The seeds, in run order.
        public var seeds: [UInt64]
        /// One entry per target, in ``ComparisonSummary/targets`` order.
        public var targets: [TargetResult]
        /// Median final test accuracy over seeds.
        public var finalAccuracy: Double
        /// Lowest final test accuracy over seeds.
        public var finalAccuracyMin: Double
        /// Highest final test accuracy over seeds.
        public var finalAccuracyMax: Double
        /// Median bytes per round (up + down, all clients).
        public var bytesPerRound: Double
        /// Median training milliseconds per round.
        public var millisecondsPerRound: Double
        /// The most rounds any seed ran.
        public var rounds: Int
        /// Seeds that stopped early, with their status and note (divergence, interruption).
        public var incomplete: [String]
        /// The learning-rate grid with the selection rule's view of it (one entry when no grid).
        public var grid: [LearningRateCandidate]
        /// The split the rate was chosen on: `validation` or `test`.
        public var selectionSplit: String
    }

    /// The target accuracies, ascending.
    public let targets: [Double]
    /// The method speedups are measured against (`decomfl`), if it took part.
    public let baseline: String?
    /// The baseline's selected learning rate (each speedup compares it with the method's).
    public let baselineLearningRate: Double?
    /// One entry per method, in the order methods first appear in the input.
    public let methods: [MethodResult]

    /// Summarises runs.
    ///
    /// - Parameters:
    ///   - curves: every run (any number of methods, learning rates and seeds).
    ///   - targets: the target accuracies (sorted ascending here).
    ///   - baseline: the method speedups are measured against; ignored if absent from `curves`.
    /// - Throws: `ReportError.invalidInput(what:reason:)` when `curves` or `targets` is empty.
    /// - Complexity: O(runs x points x targets).
    public init(curves: [ReportCurve], targets: [Double], baseline: String = "decomfl") throws(ReportError) {
        guard !curves.isEmpty else { throw .invalidInput(what: "comparison summary", reason: "no runs to summarise") }
        guard !targets.isEmpty else { throw .invalidInput(what: "comparison summary", reason: "no target accuracies given") }
        let targets = targets.sorted()
        self.targets = targets
        var order: [String] = []
        var byMethod: [String: [ReportCurve]] = [:]
        for curve in curves {
            if byMethod[curve.method] == nil { order.append(curve.method) }
            byMethod[curve.method, default: []].append(curve)
        }
        var results = order.map { Self.summarise(method: $0, runs: byMethod[$0]!, targets: targets) }
        if let base = results.first(where: { $0.method == baseline }) {
            self.baseline = baseline
            baselineLearningRate = base.learningRate
            for m in results.indices {
                let sameRate = byMethod[baseline]!.filter { $0.learningRate == results[m].learningRate }
                for t in targets.indices {
                    guard let r = results[m].targets[t].medianRounds, r > 0 else { continue }
                    if let b = base.targets[t].medianRounds { results[m].targets[t].speedup = b / r }
                    if !sameRate.isEmpty, let b = Self.targetResult(targets[t], sameRate).medianRounds {
                        results[m].targets[t].sameRateSpeedup = b / r
                    }
                }
            }
        } else {
            self.baseline = nil
            baselineLearningRate = nil
        }
        self.methods = results
    }

    /// The selected learning rate's result for one method's runs.
    static func summarise(method: String, runs: [ReportCurve], targets: [Double]) -> MethodResult {
        var lrOrder: [Double] = []
        var byRate: [Double: [ReportCurve]] = [:]
        for run in runs {
            if byRate[run.learningRate] == nil { lrOrder.append(run.learningRate) }
            byRate[run.learningRate, default: []].append(run)
        }
        let validation = runs.allSatisfy(\.hasValidation)
        var grid = lrOrder.sorted().map { lr -> LearningRateCandidate in
            let seeds = byRate[lr]!
            return LearningRateCandidate(
                learningRate: lr,
                medianRounds: targets.map { target in
                    ReportStatistics.finite(ReportStatistics.median(seeds.map { run in
                        (validation ? run.roundReachingOnValidation(target) : run.roundReaching(target)).map(Double.init) ?? .infinity
                    }))
                },
                medianFinalAccuracy: ReportStatistics.median(
                    seeds.map { validation ? $0.finalValidationAccuracy : $0.finalAccuracy }.filter { !$0.isNaN }),
                divergedSeeds: seeds.filter { $0.status == .diverged }.count,
                selected: false)
        }
        let chosen = selectLearningRate(grid)
        grid[chosen].selected = true
        let seeds = byRate[grid[chosen].learningRate]!
        let finals = seeds.map(\.finalAccuracy).filter { !$0.isNaN }
        return MethodResult(
            method: method,
            learningRate: grid[chosen].learningRate,
            seeds: seeds.map(\.seed),
            targets: targets.map { targetResult($0, seeds) },
            finalAccuracy: ReportStatistics.median(finals),
            finalAccuracyMin: finals.min() ?? .nan,
            finalAccuracyMax: finals.max() ?? .nan,
            bytesPerRound: ReportStatistics.median(seeds.map(\.bytesPerRound).filter { !$0.isNaN }),
            millisecondsPerRound: ReportStatistics.median(seeds.map(\.millisecondsPerRound).filter { !$0.isNaN }),
            rounds: seeds.map(\.roundsCompleted).max() ?? 0,
            incomplete: seeds.filter { $0.status != .completed }.map { run in
                "seed \(run.seed): \(run.status.rawValue) after \(run.roundsCompleted) rounds" + (run.note.map { " (\($0))" } ?? "")
            },
            grid: grid,
            selectionSplit: validation ? "validation" : "test")
    }

    /// Rounds and bytes to `target` over `seeds` (speedup filled in later).
    static func targetResult(_ target: Double, _ seeds: [ReportCurve]) -> TargetResult {
        let rounds = seeds.map { $0.roundReaching(target) }
        let reached = rounds.compactMap { $0 }
        return TargetResult(
            target: target,
            medianRounds: ReportStatistics.finite(ReportStatistics.median(rounds.map { $0.map(Double.init) ?? .infinity })),
            minRounds: reached.min(),
            maxRounds: reached.count == rounds.count ? reached.max() : nil,
            reachedSeeds: reached.count,
            medianBytes: ReportStatistics.finite(ReportStatistics.median(seeds.map { $0.bytesReaching(target).map(Double.init) ?? .infinity })),
            speedup: nil)
    }

    /// The index of the learning rate the documented selection rule picks (see the type's notes).
    static func selectLearningRate(_ grid: [LearningRateCandidate]) -> Int {
        precondition(!grid.isEmpty, "a method has at least one learning rate")
        func accuracy(_ c: LearningRateCandidate) -> Double { c.medianFinalAccuracy.isNaN ? -.infinity : c.medianFinalAccuracy }
        let targetCount = grid[0].medianRounds.count
        let stable = grid.indices.filter { grid[$0].divergedSeeds == 0 }
        let eligible = stable.isEmpty ? Array(grid.indices) : stable
        for t in stride(from: targetCount - 1, through: 0, by: -1) {
            let reaching = eligible.filter { grid[$0].medianRounds[t] != nil }
            guard !reaching.isEmpty else { continue }
            return reaching.min { a, b in
                let ra = grid[a].medianRounds[t]!, rb = grid[b].medianRounds[t]!
                if ra != rb { return ra < rb }
                if accuracy(grid[a]) != accuracy(grid[b]) { return accuracy(grid[a]) > accuracy(grid[b]) }
                return grid[a].learningRate < grid[b].learningRate
            }!
        }
        return eligible.min { a, b in
            if accuracy(grid[a]) != accuracy(grid[b]) { return accuracy(grid[a]) > accuracy(grid[b]) }
            return grid[a].learningRate < grid[b].learningRate
        }!
    }
}
