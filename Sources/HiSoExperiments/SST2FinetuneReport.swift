import Foundation
import HiSoFederation

/// The report of ``SST2FinetuneScenario``, built only from the files in its output directory
/// (so a partial or interrupted grid gives an honest partial report, "k of n runs finished"):
///
/// - `settings.json`: the scenario's ``SST2FinetuneScenario/Settings``;
/// - `probe.json`: the ``SST2FinetuneReport/ProbeRecord``;
/// - `<start>/pilot/runs/*.json`, `<start>/final/runs/*.json`: the finished runs' ``RunRecord``s
///   (a record counts only when its task, rounds and divergence multiple are the scenario's);
/// - `<start>/*/runs/*.csv` without a record: runs in progress or interrupted (listed, not counted).
///
/// Figures: rounds and bytes to each dev target with ``ComparisonSummary``'s rules (an unreached
/// target counts as +infinity in the median: [500, 700, not reached] -> 700, [500, not reached,
/// not reached] -> not reached); final dev accuracy median (min-max) over seeds; the validation
/// accuracy that chose the rate.
public struct SST2FinetuneReport: Encodable, Sendable {
    /// The probe and the settings it was trained under (reused only when they match).
    public struct ProbeRecord: Codable, Sendable, Equatable {
        /// The scenario's data-defining settings (directories, subset-independent split, limits).
        public var key: ProbeKey
        /// The probe.
        public var probe: LinearProbe

        /// Pairs a probe with its key.
        public init(key: ProbeKey, probe: LinearProbe) {
            self.key = key
            self.probe = probe
        }
    }

    /// What determines the probe: the model, the data, the hold-out and the truncation length.
    public struct ProbeKey: Codable, Sendable, Equatable {
        /// The model and data directories.
        public var modelDirectory: String, dataDirectory: String
        /// The training limit, validation size and split seed.
        public var trainLimit: Int?, validationCount: Int, splitSeed: UInt64
        /// The truncation length in tokens.
        public var maxLength: Int
        /// ``LinearProbe/revision`` of the fit (`nil` in probes saved before it was recorded, which
        /// are therefore fitted again).
        public var probeRevision: Int?

        /// The key of `settings`.
        public init(_ settings: SST2FinetuneScenario.Settings, maxLength: Int = 64) {
            probeRevision = LinearProbe.revision
            modelDirectory = settings.modelDirectory
            dataDirectory = settings.dataDirectory
            trainLimit = settings.trainLimit
            validationCount = settings.validationCount
            splitSeed = settings.splitSeed
            self.maxLength = maxLength
        }
    }

    /// One method of one start: the chosen rate and the final runs' figures.
    public struct Row: Encodable, Sendable {
        /// The start and the method.
        public var start: SST2FinetuneScenario.Start, method: String
        /// The pilot's verdict (grid, validation scores, chosen rate).
        public var choice: SST2FinetuneScenario.Choice
        /// The rate the grid still has to be widened to (the choice sits at an edge), `nil` when final.
        public var nextRate: Double?
        /// Final runs planned and finished (completed or diverged).
        public var seedsPlanned: Int, seedsFinished: Int
        /// The final runs' summary at the chosen rate (`nil` before any finished).
        public var result: ComparisonSummary.MethodResult?
        /// Median final validation accuracy of the final runs.
        public var finalValidation: Double?
        /// Median change of validation accuracy over the last fifth of the rounds (positive: still rising).
        public var lateValidationGain: Double?
    }

    /// The settings.
    public var settings: SST2FinetuneScenario.Settings
    /// The probe, when trained.
    public var probe: LinearProbe?
    /// Per start and method.
    public var rows: [Row]
    /// Runs finished and planned so far (pilot grids as widened so far, final seeds of every method).
    public var runsFinished: Int, runsPlanned: Int
    /// Runs with a curve but no record (in progress or interrupted), one line each.
    public var unfinished: [String]

    /// The pilot directory of `start` under `directory`.
    public static func pilotDirectory(_ directory: URL, _ start: SST2FinetuneScenario.Start) -> URL {
        directory.appendingPathComponent(start.rawValue).appendingPathComponent("pilot", isDirectory: true)
    }

    /// The final-runs directory of `start` under `directory`.
    public static func finalDirectory(_ directory: URL, _ start: SST2FinetuneScenario.Start) -> URL {
        directory.appendingPathComponent(start.rawValue).appendingPathComponent("final", isDirectory: true)
    }

    /// The probe file under `directory`.
    public static func probeURL(_ directory: URL) -> URL { directory.appendingPathComponent("probe.json") }

    /// Reads the probe saved under `directory` when it was trained for `settings`' data.
    ///
    /// - Throws: `ReportError` when the file exists but cannot be parsed.
    public static func savedProbe(_ directory: URL, settings: SST2FinetuneScenario.Settings) throws(ReportError) -> LinearProbe? {
        let url = probeURL(directory)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let record = try ReportJSON.read(ProbeRecord.self, from: url)
        return record.key == ProbeKey(settings) ? record.probe : nil
    }

    /// The finished runs in `directory/runs` that ran `plan`'s task, run length and divergence multiple.
    ///
    /// - Throws: `ReportError` for an unreadable or malformed record.
    public static func finishedCurves(_ directory: URL, plan: ExperimentPlan) throws(ReportError) -> [ReportCurve] {
        try records(directory).filter {
            $0.task == plan.task && $0.configuration.rounds == plan.configuration.rounds
                && $0.divergenceLossMultiple == plan.divergenceLossMultiple
                && ($0.curve.status == .completed || $0.curve.status == .diverged)
        }.map(\.curve)
    }

    /// Every record in `directory/runs`, by file name.
    static func records(_ directory: URL) throws(ReportError) -> [RunRecord] {
        let runs = directory.appendingPathComponent("runs", isDirectory: true)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var out: [RunRecord] = []
        for name in names { out.append(try ReportJSON.read(RunRecord.self, from: runs.appendingPathComponent(name))) }
        return out
    }

    /// The pilot grid of `method` so far: the initial grid plus every rate with a matching pilot record.
    static func pilotGrid(
        _ settings: SST2FinetuneScenario.Settings, start: SST2FinetuneScenario.Start, method: String, curves: [ReportCurve]
    ) -> [Double] {
        let initial = settings.grid(start, method)
        return Array(Set(initial + curves.filter { $0.method == method }.map(\.learningRate))).sorted()
    }

    /// Builds the report from the files under `directory`.
    ///
    /// - Throws: `ReportError` for unreadable or malformed files.
    public init(directory: URL, settings: SST2FinetuneScenario.Settings) throws(ReportError) {
        self.settings = settings
        probe = try Self.savedProbe(directory, settings: settings)
        var rows: [Row] = []
        var finished = 0
        var planned = 0
        var unfinished: [String] = []
        for start in settings.starts {
            if start == .probe && probe == nil {
                planned += settings.methods.map { settings.grid(start, $0.rawValue).count + settings.seeds.count }.reduce(0, +)
                unfinished.append("\(start.rawValue): waiting for the linear probe (its runs start from its head)")
                continue
            }
            let head = start == .probe ? probe?.head : nil
            let pilotDir = Self.pilotDirectory(directory, start)
            let finalDir = Self.finalDirectory(directory, start)
            let pilot = try Self.finishedCurves(pilotDir, plan: settings.pilotPlan(start: start, probeHead: head, rates: [:]))
            var chosen: [String: Double] = [:]
            var choices: [String: SST2FinetuneScenario.Choice] = [:]
            var nextRates: [String: Double] = [:]
            for method in settings.methods.map(\.rawValue) {
                let grid = Self.pilotGrid(settings, start: start, method: method, curves: pilot)
                let choice = SST2FinetuneScenario.choose(method: method, grid: grid, curves: pilot, seeds: [settings.pilotSeed])
                choices[method] = choice
                let next = SST2FinetuneScenario.nextRate(
                    grid: grid, initial: settings.grid(start, method), choice: choice, maximumWidenings: settings.maximumWidenings)
                nextRates[method] = next
                if next == nil { chosen[method] = choice.learningRate }
                // Final runs are planned for a chosen rate, or while the grid may still widen; a
                // grid that diverged everywhere and cannot widen plans none.
                let finalsPlanned = choice.status == .allDiverged && next == nil ? 0 : settings.seeds.count
                planned += grid.count + (next == nil ? 0 : 1) + finalsPlanned
                finished += choice.grid.map(\.finished).reduce(0, +)
            }
            let finalPlan = settings.finalPlan(start: start, probeHead: head, chosen: chosen)
            let finals = try Self.finishedCurves(finalDir, plan: finalPlan).filter { chosen[$0.method] == $0.learningRate }
            finished += finals.count
            let summary = finals.isEmpty ? nil : try ComparisonSummary(curves: finals, targets: settings.targets)
            for method in settings.methods.map(\.rawValue) {
                let runs = finals.filter { $0.method == method }
                rows.append(Row(
                    start: start, method: method, choice: choices[method]!, nextRate: nextRates[method], seedsPlanned: settings.seeds.count,
                    seedsFinished: runs.count, result: summary?.methods.first { $0.method == method },
                    finalValidation: Self.median(runs.compactMap { $0.points.last?.validationAccuracy }),
                    lateValidationGain: Self.median(runs.compactMap(Self.lateGain))))
            }
            for (dir, stage) in [(pilotDir, "pilot"), (finalDir, "final")] {
                unfinished += Self.unrecorded(dir).map { "\(start.rawValue) \(stage): \($0)" }
            }
        }
        self.rows = rows
        runsFinished = finished
        runsPlanned = planned
        self.unfinished = unfinished
    }

    /// Validation accuracy at the last evaluation minus that at 80% of the rounds run.
    static func lateGain(_ curve: ReportCurve) -> Double? {
        guard let last = curve.points.last, let lastValue = last.validationAccuracy, last.round > 0 else { return nil }
        let mark = Int((Double(last.round) * 0.8).rounded(.down))
        guard let earlier = curve.points.last(where: { $0.round <= mark }), let value = earlier.validationAccuracy else { return nil }
        return lastValue - value
    }

    static func median(_ values: [Double]) -> Double? { values.isEmpty ? nil : ReportStatistics.median(values) }

    /// `method lr seed: round r, dev a` for every curve file in `directory/runs` without a record.
    static func unrecorded(_ directory: URL) -> [String] {
        let runs = directory.appendingPathComponent("runs", isDirectory: true)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).sorted()
        return names.filter { $0.hasSuffix(".csv") && !names.contains(String($0.dropLast(4)) + ".json") }.map { name in
            let url = runs.appendingPathComponent(name)
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            let last = (try? ReportCurve.points(fromCSV: text, path: url.path))?.last
            return String(name.dropLast(4)) + (last.map { ": round \($0.round), dev \(ReportFormat.fixed(($0.testAccuracy ?? .nan) * 100, 2))%" } ?? ": no evaluation yet")
        }
    }
}
