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

    /// Runs one run of the plan; with ``ExperimentPlan/divergenceLossMultiple`` `k`, a run whose
    /// evaluated training loss exceeds `k` times its round-0 training loss stops there as diverged.
    ///
    /// - Parameters:
    ///   - run: the run.
    ///   - observer: called after every round and evaluation with the curve so far; return
    ///     `.stop` to end the run early (its status becomes `interrupted`).
    /// - Returns: the curve, with status `completed`, `interrupted` or `diverged`.
    /// - Throws: ``CatalogError`` or `FederationError` (other than divergence) when the run
    ///   cannot be set up or fails.
    public func execute(_ run: ExperimentPlan.Run, observer: (Event) -> RunControl = { _ in .proceed }) throws -> ReportCurve {
        let task = try task(for: run.configuration)
        let federated = try FederatedRun(configuration: run.configuration, task: task)
        let recorder = CurveRecorder(
            ReportCurve(method: run.method.rawValue, learningRate: run.learningRate, seed: run.seed), timing: timing,
            divergenceLossMultiple: plan.divergenceLossMultiple)
        do {
            try federated.run { event in recorder.record(event, observer: observer) }
            if let reason = recorder.lossDivergence {
                recorder.curve.status = .diverged
                recorder.curve.note = reason
            } else {
                recorder.curve.status = recorder.stopped && federated.completedRounds < run.configuration.rounds ? .interrupted : .completed
            }
        } catch {
            guard case .diverged = error else { throw error }
            recorder.curve.status = .diverged
            recorder.curve.note = error.description
        }
        recorder.curve.roundsCompleted = federated.completedRounds
        return recorder.curve
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

    init(_ curve: ReportCurve, timing: ExperimentRunner.Timing, divergenceLossMultiple: Double? = nil) {
        self.curve = curve
        self.timing = timing
        self.divergenceLossMultiple = divergenceLossMultiple
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
