import HiSoFederation
import HiSoKernels

/// Runs the runs of an ``ExperimentPlan`` one at a time and turns each into a ``ReportCurve``.
///
/// Tasks are built through a ``TaskCatalog`` and reused across runs with the same client count
/// and local steps. A diverging run is not an error here: it ends with status `diverged` and
/// keeps its curve. Time per round counts training rounds only (evaluation excluded).
public final class ExperimentRunner {
    /// What the observer is told.
    public enum Event {
        /// A round finished; the curve is as of the last evaluation.
        case round(Int, ReportCurve)
        /// An evaluation was added to the curve.
        case evaluated(ReportCurve)
    }

    /// Whether curves carry wall-clock times.
    public enum Timing: Sendable {
        /// Training seconds and wall seconds as measured (the default; reports show ms/round).
        case measured
        /// All times zero: a curve, and every report built from it, is then a pure function of
        /// the plan (byte-identical across machines, shards and reruns).
        case omitted
    }

    /// The plan.
    public let plan: ExperimentPlan
    private let catalog: TaskCatalog
    private var tasks: [String: any FederatedTask] = [:]
    /// Whether curves carry wall-clock times.
    public let timing: Timing

    /// Makes a runner.
    ///
    /// - Parameters:
    ///   - plan: what to run.
    ///   - catalog: where tasks come from (share one to share loaded data).
    ///   - timing: ``Timing/measured`` (default) or ``Timing/omitted`` for reproducible reports.
    public init(plan: ExperimentPlan, catalog: TaskCatalog = TaskCatalog(), timing: Timing = .measured) {
        self.plan = plan
        self.catalog = catalog
        self.timing = timing
    }

    /// The task for a configuration (built once per client count, local steps and backend).
    ///
    /// - Throws: ``CatalogError`` when the task cannot be built, `FederationError` for a bad backend.
    public func task(for configuration: RunConfiguration) throws -> any FederatedTask {
        let key = "\(configuration.clients)/\(configuration.localSteps)/\(configuration.backend?.rawValue ?? "default")/\(configuration.threads)"
        if let task = tasks[key] { return task }
        let backend: any KernelBackend
        do {
            backend = try Kernels.backend(configuration.backend, threads: configuration.threads)
        } catch {
            throw FederationError.invalidConfiguration(key: "backend", value: configuration.backend?.rawValue ?? "default", expected: error.description)
        }
        let task = try catalog.makeTask(plan.task, clients: configuration.clients, localSteps: configuration.localSteps, backend: backend)
        tasks[key] = task
        return task
    }

    /// Opens the data and checks every method of the plan against its task, before anything is
    /// written: builds each run's task (loading and validating its data) and sets up one run per
    /// method without playing a round.
    ///
    /// - Throws: ``CatalogError`` for missing or corrupt data, `FederationError` for a
    ///   configuration the task cannot run (client count, gradients).
    /// - Complexity: one task build per distinct client count (cached for the runs) and one
    ///   model initialisation per method.
    public func prepare() throws {
        var checked: Set<ComparedMethod> = []
        for run in plan.runs where checked.insert(run.method).inserted {
            _ = try FederatedRun(configuration: run.configuration, task: task(for: run.configuration))
        }
    }

    /// Where a run keeps its checkpoint, and the checkpoint it continues from.
    public struct Checkpointing {
        /// The checkpoint file: written atomically after every evaluation and when the run
        /// stops (finished, interrupted or diverged).
        public var path: String
        /// The state to continue from (`nil`: start afresh).
        public var resume: Checkpoint?
        /// Training seconds the interrupted run had already spent (added to the resumed curve's).
        public var trainingSeconds: Double

        /// - Parameters:
        ///   - path: where to write the checkpoint.
        ///   - resume: the checkpoint to continue from, if any.
        ///   - trainingSeconds: training seconds spent before the checkpoint.
        public init(path: String, resume: Checkpoint? = nil, trainingSeconds: Double = 0) {
            self.path = path
            self.resume = resume
            self.trainingSeconds = trainingSeconds
        }
    }

    /// Runs one run of the plan; with ``ExperimentPlan/divergenceLossMultiple`` `k`, a run whose
    /// evaluated training loss exceeds `k` times its round-0 training loss stops there as diverged.
    ///
    /// A run continued from a checkpoint gives the same curve, bit for bit (times aside), as the
    /// run that was never stopped.
    ///
    /// - Parameters:
    ///   - run: the run.
    ///   - checkpointing: where to keep a checkpoint and what to resume from (`nil`: none).
    ///   - observer: called after every round and evaluation with the curve so far; return
    ///     `.stop` to end the run early (its status becomes `interrupted`).
    /// - Returns: the curve, with status `completed`, `interrupted` or `diverged`.
    /// - Throws: ``CatalogError`` or `FederationError` (other than divergence) when the run
    ///   cannot be set up or fails; `FederationError.checkpointMismatch` when the checkpoint to
    ///   resume is of another configuration or another package version, backend or thread count.
    public func execute(
        _ run: ExperimentPlan.Run, checkpointing: Checkpointing? = nil, observer: (Event) -> RunControl = { _ in .proceed }
    ) throws -> ReportCurve {
        let task = try task(for: run.configuration)
        var curve = ReportCurve(method: run.method.rawValue, learningRate: run.learningRate, seed: run.seed)
        let federated: FederatedRun
        if let checkpointing, let resume = checkpointing.resume {
            try Self.checkResumable(resume, run: run, file: checkpointing.path)
            federated = try FederatedRun(resuming: resume, task: task)
            let initialLoss = resume.curve.first?.testLoss ?? 0
            curve.points = resume.curve.map { p in
                var point = Self.point(p, initialLoss: initialLoss)
                if timing == .omitted { point.wallSeconds = 0 }
                return point
            }
            curve.roundsCompleted = resume.completedRounds
            if timing == .measured { curve.trainingSeconds = checkpointing.trainingSeconds }
        } else {
            federated = try FederatedRun(configuration: run.configuration, task: task)
        }
        federated.checkpointPath = checkpointing?.path
        let recorder = CurveRecorder(curve, timing: timing, divergenceLossMultiple: plan.divergenceLossMultiple)
        do {
            try federated.run { event in recorder.record(event, observer: observer) }
            if let reason = recorder.lossDivergence {
                recorder.curve.status = .diverged
                recorder.curve.note = reason
            } else {
                recorder.curve.status = federated.completedRounds < run.configuration.rounds ? .interrupted : .completed
            }
        } catch {
            guard case .diverged = error else { throw error }
            recorder.curve.status = .diverged
            recorder.curve.note = error.description
        }
        recorder.curve.roundsCompleted = federated.completedRounds
        if let path = checkpointing?.path { try federated.checkpoint().write(to: path) }
        return recorder.curve
    }

    /// Checks that `checkpoint` continues `run` on this build: the same configuration, and the
    /// same package version, backend and thread count (`RunProvenance`).
    ///
    /// - Parameters:
    ///   - checkpoint: the checkpoint to continue from.
    ///   - run: the run of the plan it should continue.
    ///   - file: the checkpoint's path, for the message.
    ///
    /// - Throws: `FederationError.checkpointMismatch(file:reason:)` saying what differs.
    public static func checkResumable(_ checkpoint: Checkpoint, run: ExperimentPlan.Run, file: String) throws(FederationError) {
        guard let provenance = checkpoint.provenance else {
            throw .checkpointMismatch(file: file, reason: "it records no package version, backend or thread count, so it cannot be continued bit for bit")
        }
        if let mismatch = provenance.mismatch(resuming: .current(for: run.configuration)) {
            throw .checkpointMismatch(file: file, reason: mismatch)
        }
        guard checkpoint.configuration == run.configuration else {
            throw .checkpointMismatch(file: file, reason: "it is a checkpoint of another configuration than \(run.method) lr \(run.learningRate) seed \(run.seed) of this plan")
        }
    }

    /// A report point from a federation curve point; a task without accuracy (quadratic) reports
    /// `1 - testLoss / initialLoss`, the fraction of the initial suboptimality removed.
    static func point(_ p: CurvePoint, initialLoss: Double) -> CurvePoint {
        var point = p
        point.testAccuracy = p.testAccuracy ?? (initialLoss > 0 ? 1 - p.testLoss / initialLoss : .nan)
        return point
    }

}

/// Turns a federated run's events into a ``ReportCurve``, timing training rounds only, and
/// applies the training-loss divergence rule.
final class CurveRecorder {
    /// The curve so far.
    var curve: ReportCurve
    /// Whether the observer (or the divergence rule) asked to stop.
    private(set) var stopped = false
    /// Why the divergence rule stopped the run (`nil`: it did not).
    private(set) var lossDivergence: String?
    private let divergenceLossMultiple: Double?
    private var initialLoss: Double?
    private let clock = ContinuousClock()
    private var mark = ContinuousClock.now
    private var training = Duration.zero

    private let timing: ExperimentRunner.Timing

    /// - Parameters:
    ///   - curve: the curve so far (empty for a fresh run; a resumed run's points and training time).
    ///   - timing: whether times are recorded.
    ///   - divergenceLossMultiple: the training-loss divergence rule's multiple, if any.
    init(_ curve: ReportCurve, timing: ExperimentRunner.Timing, divergenceLossMultiple: Double? = nil) {
        self.curve = curve
        self.timing = timing
        self.divergenceLossMultiple = divergenceLossMultiple
        initialLoss = curve.points.first?.testLoss
        training = .nanoseconds(Int64((curve.trainingSeconds * 1e9).rounded()))
    }

    /// Records one event and asks the observer whether to go on.
    func record(_ event: RunEvent, observer: (ExperimentRunner.Event) -> RunControl) -> RunControl {
        switch event {
        case .roundFinished(let round, _, _):
            let now = clock.now
            training += now - mark
            mark = now
            curve.roundsCompleted = Int(round) + 1
            if timing == .measured {
                curve.trainingSeconds = Double(training.components.seconds) + Double(training.components.attoseconds) * 1e-18
            }
            if observer(.round(Int(round) + 1, curve)) == .stop { stopped = true }
        case .evaluated(let point):
            if initialLoss == nil { initialLoss = point.testLoss }
            var recorded = ExperimentRunner.point(point, initialLoss: initialLoss ?? point.testLoss)
            if timing == .omitted { recorded.wallSeconds = 0 }
            curve.points.append(recorded)
            if let k = divergenceLossMultiple, let first = curve.points.first, point.trainLoss > k * first.trainLoss {
                lossDivergence = "training loss \(point.trainLoss) above \(k) x the initial \(first.trainLoss) at round \(point.round)"
                stopped = true
            }
            if observer(.evaluated(curve)) == .stop { stopped = true }
            mark = clock.now
        }
        return stopped ? .stop : .proceed
    }
}
