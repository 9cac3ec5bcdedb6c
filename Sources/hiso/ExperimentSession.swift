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
    /// Raise ``interrupt`` once this many rounds have been played in this session (over all its
    /// runs), as Ctrl-C after that round would (`nil`: never). Tests interrupt at a chosen round
    /// through it.
    var stopAfterRound: Int?
    private var roundsPlayed = 0

    /// - Parameters:
    ///   - settings: the resolved settings.
    ///   - mode: train or compare.
    ///   - interrupt: the Ctrl-C flag, checked between rounds.
    ///   - showProgress: whether to draw the progress line (it also needs stderr to be a terminal).
    ///   - timing: ``ExperimentRunner/Timing/omitted`` makes every file a pure function of the settings.
    init(
        _ settings: RunSettings, mode: RunSettings.Mode, interrupt: InterruptFlag, showProgress: Bool,
        timing: ExperimentRunner.Timing = .measured
    ) {
        self.settings = settings
        self.mode = mode
        self.interrupt = interrupt
        progress = ProgressDisplay(enabled: showProgress && !settings.json)
        logger = Logger(label: "hiso")
        logger.logLevel = settings.verbose ? .debug : .info
        runner = ExperimentRunner(plan: settings.plan, timing: timing)
    }

    /// The one-line setting description used in reports.
    var setting: String {
        let plan = settings.plan
        let c = plan.configuration
        return TaskCatalog.summary(plan.task, clients: c.clients)
            + ", \(c.sampledClients) sampled, tau \(c.localSteps), P \(c.perturbations), mu \(c.mu), \(c.scheme.rawValue) differences, "
            + "\(c.rounds) rounds, evaluation every \(c.evaluateEvery)"
    }

    /// Which code runs the session (package version, backend, threads, platform, commit).
    var provenance: RunProvenance { .current(for: settings.plan.configuration) }

    /// `config.json`: every setting by flag name and the informational `provenance` object.
    var configurationRecord: ConfigurationRecord {
        ConfigurationRecord(flags: RunSettings.flags(for: settings.plan, mode: mode), provenance: provenance)
    }

    /// What must hold before a run writes anything: the folder's earlier run matches the
    /// policy (``OutputFolder/check(_:)``), the folder can be created, every method's data and
    /// task open (``ExperimentRunner/prepare()``).
    private func checkBeforeWriting() throws -> OutputFolder {
        let folder = OutputFolder(directory: settings.outputDirectory, mode: mode)
        try folder.check(settings.outputPolicy)
        try runner.prepare()
        try AtomicFile.createDirectory(folder.directory)
        return folder
    }

    /// With `--force`, moves the earlier run aside (after every check passed).
    private func replaceEarlierRun(_ folder: OutputFolder) throws {
        guard settings.outputPolicy == .replace, let moved = try folder.moveAside() else { return }
        logger.info("moved the earlier run's files to \(moved.path)")
    }

    /// The finished curve `record` holds for `run`, `nil` when the record's run is unfinished.
    ///
    /// - Throws: ``CommandLineError`` when the record is of another run, or was written by
    ///   another package version, backend or thread count.
    private func finishedCurve(_ record: RunRecord, of run: ExperimentPlan.Run, file: URL) throws(CommandLineError) -> ReportCurve? {
        guard record.task == settings.plan.task, record.configuration == run.configuration else {
            throw .conflict("cannot resume: '\(file.path)' records another run than \(run.method) lr \(run.learningRate) seed \(run.seed) of its config.json.")
        }
        guard record.curve.status == .completed || record.curve.status == .diverged else { return nil }
        if let mismatch = record.provenanceMismatch {
            throw .conflict("cannot resume: '\(file.path)' was \(mismatch).")
        }
        return record.curve
    }

    /// How `run` continues: from the finished curve of its record, or from its checkpoint
    /// (with the training seconds its record counted), or afresh.
    ///
    /// - Throws: ``CommandLineError`` (a record of another run or build), `FederationError`
    ///   (an unreadable checkpoint, or one of another configuration or build).
    private func resumeState(
        _ run: ExperimentPlan.Run, record recordURL: URL, checkpoint checkpointURL: URL
    ) throws -> (finished: ReportCurve?, checkpointing: ExperimentRunner.Checkpointing) {
        var checkpointing = ExperimentRunner.Checkpointing(path: checkpointURL.path)
        guard settings.outputPolicy == .resume else { return (nil, checkpointing) }
        var record: RunRecord?
        if FileManager.default.fileExists(atPath: recordURL.path) {
            let saved = try ReportJSON.read(RunRecord.self, from: recordURL)
            if let finished = try finishedCurve(saved, of: run, file: recordURL) { return (finished, checkpointing) }
            record = saved
        }
        if FileManager.default.fileExists(atPath: checkpointURL.path) {
            let checkpoint = try Checkpoint.read(from: checkpointURL.path)
            try ExperimentRunner.checkResumable(checkpoint, run: run, file: checkpointURL.path)
            checkpointing.resume = checkpoint
            checkpointing.trainingSeconds = record?.curve.trainingSeconds ?? 0
        }
        return (nil, checkpointing)
    }

    /// Runs the single run of `train`, keeping `curve.csv` and `summary.json` current, and
    /// `checkpoint.json` after every evaluation and at the end; `run.json` records the result.
    /// With `--resume`, a finished run is reused as it is and an unfinished one continues from
    /// its checkpoint.
    ///
    /// - Returns: the final curve (status completed, interrupted or diverged).
    /// - Throws: ``CommandLineError`` for a folder that holds another run (or none to resume),
    ///   ``CatalogError``, `FederationError` or `ReportError` when the run cannot start or its
    ///   files cannot be written. Nothing is written before the settings, the folder and the data
    ///   have been checked.
    func train() throws -> ReportCurve {
        let run = settings.plan.runs[0]
        let folder = try checkBeforeWriting()
        let recordURL = folder.file("run.json")
        let (finished, checkpointing) = try resumeState(run, record: recordURL, checkpoint: folder.file("checkpoint.json"))
        if let finished {
            logger.info("train: the run in \(folder.directory.path) is \(finished.status.rawValue); nothing to resume")
            return finished
        }
        try replaceEarlierRun(folder)
        let files = try RunFiles(
            directory: folder.directory, configuration: configurationRecord, roundsPlanned: run.configuration.rounds,
            targets: settings.plan.targets, provenance: provenance)
        try ReportJSON.write(settings.plan, to: folder.file("plan.json"))
        let from = checkpointing.resume.map { " from round \($0.completedRounds)" } ?? ""
        logger.info("train\(from): \(run.method) lr \(run.learningRate) seed \(run.seed); \(setting); writing \(files.directory.path)")
        var writeError: ReportError?
        let curve = try execute(run, checkpointing: checkpointing, label: "\(run.method) lr \(ReportFormat.learningRate(run.learningRate)) seed \(run.seed)") { curve in
            do throws(ReportError) { try files.update(curve) } catch { writeError = error }
            return writeError == nil
        }
        if let writeError { throw writeError }
        try ReportJSON.write(record(run, curve), to: recordURL)
        try files.finish(curve)
        return curve
    }

    /// Runs every run of the plan, rewriting the comparison files after each; each run keeps
    /// `runs/<run>.checkpoint.json` and `runs/<run>.json`. With `--resume`, finished runs are
    /// reused and unfinished ones continue from their checkpoints.
    ///
    /// - Returns: the summary document and every curve (fewer than planned if interrupted).
    /// - Throws: as ``train()``.
    func compare() throws -> (ComparisonDocument, [ReportCurve]) {
        let plan = settings.plan
        let runs = plan.runs
        let folder = try checkBeforeWriting()
        let directory = folder.directory
        let states = try runs.map { run in
            try resumeState(
                run,
                record: ComparisonFiles.runURL(in: directory, method: run.method.rawValue, learningRate: run.learningRate, seed: run.seed, suffix: ".json"),
                checkpoint: ComparisonFiles.runURL(
                    in: directory, method: run.method.rawValue, learningRate: run.learningRate, seed: run.seed, suffix: ".checkpoint.json"))
        }
        try replaceEarlierRun(folder)
        let files = try ComparisonFiles(directory: directory, title: plan.task.name.rawValue, configuration: configurationRecord)
        try ReportJSON.write(plan, to: folder.file("plan.json"))
        let reused = states.filter { $0.finished != nil }.count
        logger.info("compare: \(runs.count) runs (\(plan.methods.count) methods x \(plan.seeds.count) seeds x lr grid)\(reused > 0 ? ", \(reused) reused" : ""); \(setting); writing \(directory.path)")
        var curves: [ReportCurve] = []
        var document: ComparisonDocument?
        for (run, state) in zip(runs, states) {
            if interrupt.isRaised { break }
            let label = "[\(run.index + 1)/\(run.total)] \(run.method) lr \(ReportFormat.learningRate(run.learningRate)) seed \(run.seed)"
            let curve: ReportCurve
            if let finished = state.finished {
                curve = finished
            } else {
                var writeError: ReportError?
                curve = try execute(run, checkpointing: state.checkpointing, label: label) { curve in
                    do throws(ReportError) { try self.throttledWrite(files, curve) } catch { writeError = error }
                    return writeError == nil
                }
                if let writeError { throw writeError }
                try files.writeRun(curve)
                try files.writeRecord(record(run, curve))
            }
            curves.append(curve)
            let summary = try ComparisonSummary(curves: curves, targets: plan.targets)
            let current = ComparisonDocument(
                task: plan.task.name.rawValue, setting: setting,
                runsCompleted: curves.filter { $0.status != .interrupted }.count, runsPlanned: runs.count, summary: summary,
                provenance: provenance)
            try files.writeSummary(current, curves: curves)
            document = current
            if curve.status == .interrupted { break }
        }
        guard let document else {
            throw RunFailure(description: "interrupted before the first run finished; nothing to summarise in \(directory.path)", exitStatus: 130)
        }
        return (document, curves)
    }

    /// The record of `run` ending with `curve`, with this build's provenance.
    private func record(_ run: ExperimentPlan.Run, _ curve: ReportCurve) -> RunRecord {
        RunRecord(
            task: settings.plan.task, configuration: run.configuration, curve: curve,
            divergenceLossMultiple: settings.plan.divergenceLossMultiple, provenance: .current(for: run.configuration))
    }

    /// Runs one run with progress, Ctrl-C checks and a per-evaluation callback.
    ///
    /// - Parameter onEvaluation: called after each evaluation; return false to stop.
    private func execute(
        _ run: ExperimentPlan.Run, checkpointing: ExperimentRunner.Checkpointing, label: String, onEvaluation: (ReportCurve) -> Bool
    ) throws -> ReportCurve {
        progress.begin(label, rounds: run.configuration.rounds)
        let curve = try runner.execute(run, checkpointing: checkpointing) { event in
            switch event {
            case .round(let round, _):
                progress.update(round: round)
                roundsPlayed += 1
                if let stop = stopAfterRound, roundsPlayed >= stop { interrupt.raise() }
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
