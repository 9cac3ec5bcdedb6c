import Foundation
import HiSoFederation

/// The files of a comparison in an output directory, rewritten atomically after every run so
/// that an interrupted comparison leaves a valid report of the runs that finished:
///
/// - `config.json`: the plan (written once);
/// - `runs/<method>_lr<lr>_seed<seed>.csv`: each run's curve (also while it runs);
/// - `runs/<method>_lr<lr>_seed<seed>.json`: each run's ``RunRecord`` (what ran, which code ran
///   it, how it ended), which ``reusableCurve(task:configuration:method:learningRate:seed:divergenceLossMultiple:)`` reads back;
/// - `runs/<method>_lr<lr>_seed<seed>.checkpoint.json`: the run's checkpoint, when the writer keeps one
///   (`hiso compare` does, for `--resume`);
/// - `curves.csv`: every run in one long table;
/// - `summary.json`: ``ComparisonDocument`` (the `hiso compare --json` object);
/// - `summary.csv`: one row per method: median/min/max rounds and median bytes per target,
///   speedup, final accuracy, bytes and ms per round;
/// - `table.txt`, `report.md`: the tables as text and markdown;
/// - `accuracy_vs_rounds.svg`, `accuracy_vs_bytes.svg`: the plots.
public final class ComparisonFiles {
    /// The output directory.
    public let directory: URL
    /// The title used in plots and the markdown report.
    public let title: String

    /// Creates the directory (and `runs/`) and writes `config.json`.
    ///
    /// - Throws: `ReportError` when the directory or the file cannot be written.
    public init<C: Encodable>(directory: URL, title: String, configuration: C) throws(ReportError) {
        self.directory = directory
        self.title = title
        try AtomicFile.createDirectory(directory.appendingPathComponent("runs", isDirectory: true))
        try ReportJSON.write(configuration, to: directory.appendingPathComponent("config.json"))
    }

    /// The file name of a run's curve: `<method>_lr<lr>_seed<seed>.csv`.
    public static func runFileName(_ curve: ReportCurve) -> String {
        "\(curve.method)_lr\(ReportFormat.learningRate(curve.learningRate))_seed\(curve.seed).csv"
    }

    /// Writes one run's curve (during or after the run).
    public func writeRun(_ curve: ReportCurve) throws(ReportError) {
        try curve.csvTable.write(to: directory.appendingPathComponent("runs").appendingPathComponent(Self.runFileName(curve)))
    }

    /// Writes a finished run's record, `runs/<method>_lr<lr>_seed<seed>.json`.
    public func writeRecord(_ record: RunRecord) throws(ReportError) {
        try ReportJSON.write(record, to: recordURL(record.curve))
    }

    /// The curve of a finished run saved in this directory by an earlier invocation, when its
    /// record exists, ran exactly `task` and `configuration` under the same divergence multiple,
    /// was written by the same code (``RunRecord/provenanceMismatch`` is `nil`: same package
    /// version, backend and thread count; a record without provenance is refused), and ended
    /// `completed` or `diverged` (an interrupted run is run again).
    ///
    /// - Returns: the saved curve, or `nil` when there is no such record.
    /// - Throws: `ReportError` when a record exists but cannot be read or parsed.
    public func reusableCurve(
        task: TaskSpecification, configuration: RunConfiguration, method: String, learningRate: Double, seed: UInt64,
        divergenceLossMultiple: Double? = nil
    ) throws(ReportError) -> ReportCurve? {
        guard let record = try Self.savedRecord(in: directory, method: method, learningRate: learningRate, seed: seed),
            record.task == task, record.configuration == configuration, record.divergenceLossMultiple == divergenceLossMultiple,
            record.provenanceMismatch == nil, record.curve.status == .completed || record.curve.status == .diverged
        else { return nil }
        return record.curve
    }

    /// The record of a run saved in `directory` (any status), or `nil` when there is none.
    ///
    /// - Parameters:
    ///   - directory: the comparison's directory.
    ///   - method: the run's method name.
    ///   - learningRate: the run's learning rate.
    ///   - seed: the run's seed.
    ///
    /// - Throws: `ReportError` when the record exists but cannot be read or parsed.
    public static func savedRecord(in directory: URL, method: String, learningRate: Double, seed: UInt64) throws(ReportError) -> RunRecord? {
        let url = runURL(in: directory, method: method, learningRate: learningRate, seed: seed, suffix: ".json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try ReportJSON.read(RunRecord.self, from: url)
    }

    /// `runs/<method>_lr<lr>_seed<seed><suffix>` in `directory`: `.csv` the curve, `.json` the
    /// record, `.checkpoint.json` the checkpoint.
    ///
    /// - Parameters:
    ///   - directory: the comparison's directory.
    ///   - method: the run's method name.
    ///   - learningRate: the run's learning rate.
    ///   - seed: the run's seed.
    ///   - suffix: the file's kind.
    public static func runURL(in directory: URL, method: String, learningRate: Double, seed: UInt64, suffix: String) -> URL {
        let name = String(runFileName(ReportCurve(method: method, learningRate: learningRate, seed: seed)).dropLast(".csv".count))
        return directory.appendingPathComponent("runs").appendingPathComponent(name + suffix)
    }

    private func recordURL(_ curve: ReportCurve) -> URL {
        Self.runURL(in: directory, method: curve.method, learningRate: curve.learningRate, seed: curve.seed, suffix: ".json")
    }

    /// Rewrites every aggregate file from the runs so far.
    ///
    /// - Parameters:
    ///   - document: the summary and its context.
    ///   - curves: the runs' curves, in plan order.
    /// - Throws: `ReportError` when a file cannot be written.
    public func writeSummary(_ document: ComparisonDocument, curves: [ReportCurve]) throws(ReportError) {
        let summary = document.summary
        try ReportCurve.combinedCSV(curves).write(to: file("curves.csv"))
        try ReportJSON.write(document, to: file("summary.json"))
        try summaryCSV(summary).write(to: file("summary.csv"))
        try AtomicFile.write(document.headline + "\n\n" + summary.textTable(), to: file("table.txt"))
        try AtomicFile.write(document.markdown(), to: file("report.md"))
        try AtomicFile.write(
            ComparisonPlots.accuracyVsRounds(curves, summary: summary, title: "\(title): test accuracy vs rounds").render(),
            to: file("accuracy_vs_rounds.svg"))
        try AtomicFile.write(
            ComparisonPlots.accuracyVsBytes(curves, summary: summary, title: "\(title): test accuracy vs communication").render(),
            to: file("accuracy_vs_bytes.svg"))
    }

    /// `summary.csv`: one row per method.
    func summaryCSV(_ summary: ComparisonSummary) -> CSVTable {
        var header = ["method", "learning_rate", "seeds"]
        for t in summary.targets {
            let k = ComparisonSummary.key(t)
            header += ["median_rounds_to_\(k)", "min_rounds_to_\(k)", "max_rounds_to_\(k)", "median_bytes_to_\(k)", "speedup_to_\(k)"]
        }
        header += ["final_accuracy", "final_accuracy_min", "final_accuracy_max", "bytes_per_round", "ms_per_round", "rounds"]
        var table = CSVTable(header: header)
        func n(_ v: Double?) -> String { v.map(CSVTable.number) ?? "" }
        for m in summary.methods {
            var row = [m.method, CSVTable.number(m.learningRate), String(m.seeds.count)]
            for t in m.targets {
                row += [n(t.medianRounds), n(t.minRounds.map(Double.init)), n(t.maxRounds.map(Double.init)), n(t.medianBytes), n(t.speedup)]
            }
            row += [n(m.finalAccuracy.finiteOrNil), n(m.finalAccuracyMin.finiteOrNil), n(m.finalAccuracyMax.finiteOrNil),
                    n(m.bytesPerRound.finiteOrNil), n(m.millisecondsPerRound.finiteOrNil), String(m.rounds)]
            table.append(row)
        }
        return table
    }

    private func file(_ name: String) -> URL { directory.appendingPathComponent(name) }
}
