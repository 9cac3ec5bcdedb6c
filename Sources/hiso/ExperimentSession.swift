import Foundation
import HiSoExperiments
import HiSoFederation
import Logging

/// Runs what ``RunSettings`` describe, with the live progress line, Ctrl-C handling and the
/// output files, for `train` and `compare`.
final class ExperimentSession {
    let settings: RunSettings
    let mode: RunSettings.Mode
    let interrupt: InterruptFlag
    let progress: ProgressDisplay
    var logger: Logger
    private let runner: ExperimentRunner
    private var lastRunWrite: ContinuousClock.Instant?

    /// - Parameters:
    ///   - settings: the resolved settings.
    ///   - mode: train or compare.
    ///   - interrupt: the Ctrl-C flag, checked between rounds.
    ///   - showProgress: whether to draw the progress line (it also needs stderr to be a terminal).
    init(_ settings: RunSettings, mode: RunSettings.Mode, interrupt: InterruptFlag, showProgress: Bool) {
        self.settings = settings
        self.mode = mode
        self.interrupt = interrupt
        progress = ProgressDisplay(enabled: showProgress && !settings.json)
        logger = Logger(label: "hiso")
        logger.logLevel = settings.verbose ? .debug : .info
        runner = ExperimentRunner(plan: settings.plan)
    }

    /// The one-line setting description used in reports.
    var setting: String {
        let plan = settings.plan
        let c = plan.configuration
        return TaskCatalog.summary(plan.task, clients: c.clients)
            + ", \(c.sampledClients) sampled, tau \(c.localSteps), P \(c.perturbations), mu \(c.mu), \(c.scheme.rawValue) differences, "
            + "\(c.rounds) rounds, evaluation every \(c.evaluateEvery)"
    }

    /// Runs the single run of `train`, keeping `curve.csv` and `summary.json` current.
    ///
    /// - Returns: the final curve (status completed, interrupted or diverged).
    /// - Throws: ``CatalogError``, ``FederationError`` or ``ReportError`` when the run cannot
    ///   start or its files cannot be written.
    func train() throws -> ReportCurve {
        let run = settings.plan.runs[0]
        let files = try RunFiles(
            directory: settings.outputDirectory, configuration: RunSettings.flags(for: settings.plan, mode: .train),
            roundsPlanned: run.configuration.rounds, targets: settings.plan.targets)
        try ReportJSON.write(settings.plan, to: settings.outputDirectory.appendingPathComponent("plan.json"))
        logger.info("train: \(run.method) lr \(run.learningRate) seed \(run.seed); \(setting); writing \(files.directory.path)")
        var writeError: ReportError?
        let curve = try execute(run, label: "\(run.method) lr \(ReportFormat.learningRate(run.learningRate)) seed \(run.seed)") { curve in
            do throws(ReportError) { try files.update(curve) } catch { writeError = error }
            return writeError == nil
        }
        if let writeError { throw writeError }
        try files.finish(curve)
        return curve
    }

    /// Runs every run of the plan, rewriting the comparison files after each.
    ///
    /// - Returns: the summary document and every curve (fewer than planned if interrupted).
    /// - Throws: as ``train()``.
    func compare() throws -> (ComparisonDocument, [ReportCurve]) {
        let plan = settings.plan
        let runs = plan.runs
        let files = try ComparisonFiles(
            directory: settings.outputDirectory, title: plan.task.name.rawValue,
            configuration: RunSettings.flags(for: plan, mode: .compare))
        try ReportJSON.write(plan, to: settings.outputDirectory.appendingPathComponent("plan.json"))
        logger.info("compare: \(runs.count) runs (\(plan.methods.count) methods x \(plan.seeds.count) seeds x lr grid); \(setting); writing \(files.directory.path)")
        var curves: [ReportCurve] = []
        var document: ComparisonDocument?
        for run in runs {
            if interrupt.isRaised { break }
            let label = "[\(run.index + 1)/\(run.total)] \(run.method) lr \(ReportFormat.learningRate(run.learningRate)) seed \(run.seed)"
            var writeError: ReportError?
            let curve = try execute(run, label: label) { curve in
                do throws(ReportError) { try self.throttledWrite(files, curve) } catch { writeError = error }
                return writeError == nil
            }
            if let writeError { throw writeError }
            try files.writeRun(curve)
            if curve.status != .interrupted {
                try files.writeRecord(RunRecord(task: plan.task, configuration: run.configuration, curve: curve))
            }
            curves.append(curve)
            let summary = try ComparisonSummary(curves: curves, targets: plan.targets)
            let current = ComparisonDocument(
                task: plan.task.name.rawValue, setting: setting,
                runsCompleted: curves.filter { $0.status != .interrupted }.count, runsPlanned: runs.count, summary: summary)
            try files.writeSummary(current, curves: curves)
            document = current
            if curve.status == .interrupted { break }
        }
        guard let document else {
            throw RunFailure(description: "interrupted before the first run finished; nothing to summarise in \(files.directory.path)", exitStatus: 130)
        }
        return (document, curves)
    }

    /// Runs one run with progress, Ctrl-C checks and a per-evaluation callback.
    ///
    /// - Parameter onEvaluation: called after each evaluation; return false to stop.
    private func execute(_ run: ExperimentPlan.Run, label: String, onEvaluation: (ReportCurve) -> Bool) throws -> ReportCurve {
        progress.begin(label, rounds: run.configuration.rounds)
        let curve = try runner.execute(run) { event in
            switch event {
            case .round(let round, _):
                progress.update(round: round)
            case .evaluated(let curve):
                progress.evaluated(accuracy: curve.points.last?.testAccuracy)
                if !onEvaluation(curve) { return .stop }
            }
            return interrupt.isRaised ? .stop : .proceed
        }
        progress.clear()
        let acc = curve.points.last.map { ReportFormat.fixed($0.testAccuracy ?? .nan, 3) } ?? "-"
        logger.info("\(label): \(curve.status.rawValue) after \(curve.roundsCompleted) rounds, test accuracy \(acc), \(ReportFormat.fixed(curve.millisecondsPerRound, 3)) ms/round\(curve.note.map { " (\($0))" } ?? "")")
        return curve
    }

    /// Writes a run's curve file at most once a second.
    private func throttledWrite(_ files: ComparisonFiles, _ curve: ReportCurve) throws(ReportError) {
        let now = ContinuousClock.now
        if let last = lastRunWrite, now - last < .seconds(1) { return }
        lastRunWrite = now
        try files.writeRun(curve)
    }
}
