import Foundation
import HiSoExperiments
import HiSoFederation

extension ConvergenceSuite {
    /// Runs a plan with progress notes, `--jobs` runs at a time, writing each run's curve and
    /// record and rewriting the comparison files after every finished run.
    ///
    /// Runs start in plan order (seed-major); the report lists them in plan order whatever
    /// order they finish in, so the files do not depend on `--jobs`. With `--resume` a run whose
    /// record is already in `directory` (same task and configuration, completed or diverged) is
    /// read back instead of run, and an interrupted run continues from its checkpoint.
    ///
    /// - Parameters:
    ///   - rename: relabels a run's curve (for variants that share a method name).
    /// - Returns: every curve that ran (fewer than planned when the deadline passed).
    /// - Throws: the first setup or I/O error of any run (the other runs stop after their
    ///   current one).
    func execute(
        _ plan: ExperimentPlan, title: String, setting: String, directory: URL, context: BenchmarkContext,
        deadline: ContinuousClock.Instant?, catalog: TaskCatalog, rename: @escaping (ReportCurve) -> String = { $0.method }
    ) throws -> (ComparisonDocument?, [ReportCurve]) {
        let files = try ComparisonFiles(directory: directory, title: title, configuration: plan)
        if merge {
            let curves = try files.mergedCurves(plan)
            context.note("\(title): merged \(curves.count) run records from \(directory.path)")
            return (try files.writeReport(curves, setting: setting, planned: plan.runs.count, targets: plan.targets), curves)
        }
        let pool = RunPool(
            plan: plan, title: title, setting: setting, files: files, context: context, deadline: deadline,
            resume: resume, catalog: catalog, rename: rename, shard: selectedShard, timing: omitTiming ? .omitted : .measured)
        let workers = min(jobs, pool.runs.count)
        if workers <= 1 {
            pool.work(worker: 0)
        } else {
            let group = DispatchGroup()
            for worker in 0..<workers {
                let thread = Thread { [pool] in
                    pool.work(worker: worker)
                    group.leave()
                }
                thread.stackSize = 8 << 20
                group.enter()
                thread.start()
            }
            group.wait()
        }
        return try pool.result()
    }
}

/// The shared state of one plan's execution: the next run to start and the finished curves.
///
/// Workers take runs in plan order under the lock; running a run happens outside it. Every
/// mutable field is read and written under `lock` only (hence `@unchecked Sendable`); the
/// given catalog belongs to worker 0, every other worker makes its own.
private final class RunPool: @unchecked Sendable {
    let plan: ExperimentPlan
    let title: String
    let setting: String
    let files: ComparisonFiles
    let context: BenchmarkContext
    let deadline: ContinuousClock.Instant?
    let resume: Bool
    let rename: (ReportCurve) -> String
    let runs: [ExperimentPlan.Run]
    let shard: ExperimentPlan.Shard?
    let timing: ExperimentRunner.Timing
    private let catalog: TaskCatalog

    private let lock = NSLock()
    private var next = 0
    private var finished: [Int: ReportCurve] = [:]
    private var document: ComparisonDocument?
    private var failure: (any Error)?

    init(
        plan: ExperimentPlan, title: String, setting: String, files: ComparisonFiles, context: BenchmarkContext,
        deadline: ContinuousClock.Instant?, resume: Bool, catalog: TaskCatalog,
        rename: @escaping (ReportCurve) -> String, shard: ExperimentPlan.Shard?, timing: ExperimentRunner.Timing
    ) {
        self.catalog = catalog
        self.plan = plan
        self.title = title
        self.setting = setting
        self.files = files
        self.context = context
        self.deadline = deadline
        self.resume = resume
        self.rename = rename
        self.runs = plan.runs(in: shard)
        self.shard = shard
        self.timing = timing
    }

    private var expired: Bool { deadline.map { ContinuousClock.now >= $0 } ?? false }

    /// Takes and runs runs until none is left, the deadline passes or a run fails.
    func work(worker: Int) {
        let runner = ExperimentRunner(plan: plan, catalog: worker == 0 ? catalog : TaskCatalog(), timing: timing)
        while let run = take() {
            do {
                var curve: ReportCurve
                if resume,
                    let saved = try files.reusableCurve(
                        task: plan.task, configuration: run.configuration, method: run.method.rawValue,
                        learningRate: run.learningRate, seed: run.seed, divergenceLossMultiple: plan.divergenceLossMultiple)
                {
                    curve = saved
                    note("\(title): [\(run.index + 1)/\(run.total)] \(run.method) lr \(run.learningRate) seed \(run.seed): reused (\(saved.status.rawValue))")
                } else {
                    let checkpointing = try checkpointing(run)
                    let from = checkpointing.resume.map { ", continued from its checkpoint at round \($0.completedRounds)" } ?? ""
                    note("\(title): [\(run.index + 1)/\(run.total)] \(run.method) lr \(run.learningRate) seed \(run.seed)\(from)")
                    curve = try runner.execute(run, checkpointing: checkpointing) { [self] event in
                        if expired { return .stop }
                        if case .evaluated(let c) = event, c.points.count % 5 == 0 {
                            locked { try? files.writeRun(c) }
                        }
                        return .proceed
                    }
                    if curve.status != .interrupted {
                        try locked {
                            try files.writeRecord(RunRecord(
                                task: plan.task, configuration: run.configuration, curve: curve,
                                divergenceLossMultiple: plan.divergenceLossMultiple))
                        }
                        try? FileManager.default.removeItem(atPath: checkpointing.path)
                    }
                }
                curve.method = rename(curve)
                try finish(run, curve)
            } catch {
                locked {
                    if failure == nil { failure = error }
                }
                return
            }
        }
    }

    /// Where `run` keeps its checkpoint (`runs/<method>_lr<lr>_seed<seed>.checkpoint.json`,
    /// written after every evaluation and when the run stops, removed once it has finished), and,
    /// with `--resume`, the checkpoint to continue from: an interrupted run continues bit for bit
    /// where it stopped. A checkpoint of another configuration or build is set aside with a
    /// note and the run starts afresh.
    ///
    /// - Throws: `FederationError` when the checkpoint file cannot be read.
    private func checkpointing(_ run: ExperimentPlan.Run) throws -> ExperimentRunner.Checkpointing {
        let url = ComparisonFiles.runURL(
            in: files.directory, method: run.method.rawValue, learningRate: run.learningRate, seed: run.seed, suffix: ".checkpoint.json")
        var checkpointing = ExperimentRunner.Checkpointing(path: url.path)
        guard resume, FileManager.default.fileExists(atPath: url.path) else { return checkpointing }
        let saved = try Checkpoint.read(from: url.path)
        do {
            try ExperimentRunner.checkResumable(saved, run: run, file: url.path)
            checkpointing.resume = saved
            checkpointing.trainingSeconds = saved.wallSeconds
        } catch {
            note("\(title): \(run.method) lr \(run.learningRate) seed \(run.seed): not continuing its checkpoint (\(error)); starting afresh")
        }
        return checkpointing
    }

    /// The next run to start, or `nil` when all started, the deadline passed or a run failed.
    private func take() -> ExperimentPlan.Run? {
        locked {
            guard failure == nil, next < runs.count, !expired else { return nil }
            defer { next += 1 }
            return runs[next]
        }
    }

    /// Records a finished run and rewrites the comparison files.
    private func finish(_ run: ExperimentPlan.Run, _ curve: ReportCurve) throws {
        try locked {
            try files.writeRun(curve)
            finished[run.index] = curve
            if shard == nil {
                let curves = finished.keys.sorted().map { finished[$0]! }
                document = try files.writeReport(curves, setting: setting, planned: runs.count, targets: plan.targets)
            }
            let acc = curve.points.last.map { String(format: "%.3f", $0.testAccuracy ?? .nan) } ?? "-"
            context.note(
                "  \(curve.method) lr \(curve.learningRate) seed \(curve.seed): \(curve.status.rawValue) after \(curve.roundsCompleted) rounds, test accuracy \(acc), \(String(format: "%.3f", curve.millisecondsPerRound)) ms/round")
        }
    }

    /// The document and the curves in plan order, or the first failure.
    func result() throws -> (ComparisonDocument?, [ReportCurve]) {
        try locked {
            if let failure { throw failure }
            return (document, finished.keys.sorted().map { finished[$0]! })
        }
    }

    private func note(_ message: String) { locked { context.note(message) } }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
