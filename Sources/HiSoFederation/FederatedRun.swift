import HiSoKernels
import HiSoOptim

/// Drives a federated run: plays rounds, evaluates every ``RunConfiguration/evaluateEvery``
/// rounds, and reports a curve of (round, test accuracy, test loss, train loss, cumulative bytes
/// up/down, wall time) through an observer.
///
/// A run is a pure function of its configuration (with its seed) and its task: the same inputs
/// give bit-identical curves (wall time aside). Between rounds it checks for cooperative
/// cancellation (`Task.isCancelled`) and the observer's ``RunControl``; stopping keeps
/// everything computed so far (``curve``, ``ledger``, ``checkpoint(includeHessian:)``). When
/// ``checkpointPath`` is set, a checkpoint is written atomically after every evaluation, so a
/// crash or a divergence keeps the last consistent state on disk.
///
/// Memory: the engine's state (the server's `x`, plus `2 d` for HiSo's H and s; one model per
/// client in ``SyncMode/exact``; `(m + 3) d` floats for the full-vector baselines), the round
/// records (`tau P` floats per round) and the ledger entries.
///
/// Faults: a client with non-finite scalars is excluded from its round's aggregate and listed in
/// ``exclusions``; a round in which every sampled client is non-finite, a non-finite mean client
/// loss, test loss or model stops the run with ``FederationError/diverged(round:what:)``.
public final class FederatedRun {
    /// The configuration.
    public let configuration: RunConfiguration
    /// The task.
    public let task: any FederatedTask
    /// The kernels.
    public let backend: any KernelBackend
    /// The seed of the initial model (the configuration's seed).
    public let initialModelSeed: UInt64
    /// Evaluation points so far.
    public private(set) var curve: [CurvePoint] = []
    /// Traffic so far.
    public private(set) var ledger: CommunicationLedger
    /// Rounds in which clients were excluded for non-finite uploads.
    public private(set) var exclusions: [Exclusion] = []
    /// Rounds completed.
    public private(set) var completedRounds = 0
    /// Wall seconds spent playing rounds only (no evaluation), for time-per-round figures.
    public private(set) var trainingSeconds: Double = 0
    /// Where to write a checkpoint after every evaluation (`nil` = nowhere).
    public var checkpointPath: String?

    private enum Engine {
        case scalar(ScalarEngine)
        case vector(VectorEngine)
    }
    private let engine: Engine
    private let schedule: LearningRateSchedule
    private var elapsed: Double = 0

    /// Prepares a fresh run.
    ///
    /// - Throws: ``FederationError/invalidConfiguration(key:value:expected:)`` for a bad
    ///   configuration, ``FederationError/taskMismatch(what:expected:found:)`` when the task's
    ///   client count differs or a gradient method meets a task without gradients.
    public init(configuration: RunConfiguration, task: any FederatedTask) throws(FederationError) {
        try Self.check(configuration, task)
        self.configuration = configuration
        self.task = task
        backend = try Self.makeBackend(configuration)
        initialModelSeed = configuration.seed
        schedule = configuration.learningRateSchedule
        ledger = CommunicationLedger(clients: configuration.clients)
        var x = [Float](repeating: 0, count: task.parameterCount)
        x.withUnsafeMutableBufferPointer { task.initialParameters(seed: configuration.seed, into: $0) }
        if configuration.method.isScalarOnly {
            engine = .scalar(try ScalarEngine(configuration: configuration, initialParameters: x, backend: backend))
        } else {
            engine = .vector(try VectorEngine(configuration: configuration, parameters: x, backend: backend))
        }
    }

    /// Resumes from a checkpoint; the resumed run continues bit for bit as the uninterrupted one.
    ///
    /// - Parameters:
    ///   - checkpoint: the state to resume.
    ///   - task: the same task the checkpointed run used.
    ///   - rounds: a new total round count (`nil` keeps the checkpoint's).
    /// - Throws: ``FederationError/checkpointMismatch(file:reason:)`` when the checkpoint is
    ///   inconsistent (H snapshot differs from the replay, missing vectors, wrong sizes).
    public init(resuming checkpoint: Checkpoint, task: any FederatedTask, rounds: Int? = nil) throws(FederationError) {
        var configuration = checkpoint.configuration
        if let rounds { configuration.rounds = rounds }
        try Self.check(configuration, task)
        guard checkpoint.completedRounds >= 0,
              checkpoint.ledger.clientUp.count == configuration.clients,
              checkpoint.ledger.clientDown.count == configuration.clients else {
            throw .checkpointMismatch(
                file: "checkpoint",
                reason: "\(checkpoint.completedRounds) completed rounds and a ledger of \(checkpoint.ledger.clientUp.count) clients for \(configuration.clients) clients")
        }
        self.configuration = configuration
        self.task = task
        backend = try Self.makeBackend(configuration)
        initialModelSeed = checkpoint.initialModelSeed
        schedule = configuration.learningRateSchedule
        ledger = checkpoint.ledger
        curve = checkpoint.curve
        exclusions = checkpoint.exclusions
        completedRounds = checkpoint.completedRounds
        elapsed = checkpoint.wallSeconds
        let d = task.parameterCount
        if configuration.method.isScalarOnly {
            guard checkpoint.records.count == checkpoint.completedRounds,
                  checkpoint.syncRounds.count == configuration.clients else {
                throw .checkpointMismatch(
                    file: "checkpoint", reason: "\(checkpoint.records.count) records and \(checkpoint.syncRounds.count) sync rounds for \(checkpoint.completedRounds) rounds and \(configuration.clients) clients")
            }
            var x = [Float](repeating: 0, count: d)
            x.withUnsafeMutableBufferPointer { task.initialParameters(seed: checkpoint.initialModelSeed, into: $0) }
            let scalar = try ScalarEngine(
                configuration: configuration, initialParameters: x, backend: backend, history: checkpoint.records,
                syncRounds: checkpoint.syncRounds, logFirstRound: checkpoint.logFirstRound)
            if let snapshot = checkpoint.hessian, snapshot.values != scalar.server.preconditioner.hessian ?? [] {
                throw .checkpointMismatch(file: "checkpoint", reason: "the H snapshot differs from the H replayed from the round log")
            }
            engine = .scalar(scalar)
        } else {
            guard let x = checkpoint.vectors["x"]?.values, x.count == d else {
                throw .checkpointMismatch(file: "checkpoint", reason: "missing or wrong-sized model vector 'x' (expected \(d) floats)")
            }
            var optimizer = ServerOptimizer(
                method: configuration.method, dimension: d, learningRate: configuration.serverLearningRate,
                beta1: configuration.serverBeta1, beta2: configuration.serverBeta2, epsilon: configuration.serverEpsilon)
            if !optimizer.firstMoment.isEmpty {
                guard let m = checkpoint.vectors["m"]?.values, let v = checkpoint.vectors["v"]?.values,
                      m.count == d, v.count == d else {
                    throw .checkpointMismatch(file: "checkpoint", reason: "missing or wrong-sized server moments 'm'/'v'")
                }
                optimizer.firstMoment = m
                optimizer.secondMoment = v
            }
            engine = .vector(try VectorEngine(
                configuration: configuration, parameters: x, optimizer: optimizer,
                round: UInt64(checkpoint.completedRounds), backend: backend))
        }
    }

    private static func check(_ configuration: RunConfiguration, _ task: any FederatedTask) throws(FederationError) {
        try configuration.validate()
        guard task.clientCount == configuration.clients else {
            throw .taskMismatch(what: "client count", expected: "\(configuration.clients)", found: "\(task.clientCount)")
        }
        guard task.parameterCount >= 1 else {
            throw .taskMismatch(what: "parameter count", expected: "at least 1", found: "\(task.parameterCount)")
        }
        if configuration.method.needsGradient && !task.supportsGradient {
            throw .taskMismatch(what: "gradient support for \(configuration.method)", expected: "true", found: "false")
        }
    }

    private static func makeBackend(_ configuration: RunConfiguration) throws(FederationError) -> any KernelBackend {
        do {
            return try Kernels.backend(configuration.backend, threads: configuration.threads)
        } catch {
            throw .invalidConfiguration(key: "backend", value: "\(configuration.backend?.rawValue ?? "default")", expected: error.description)
        }
    }

    /// The server's current model `x`.
    public var parameters: [Float] {
        switch engine {
        case .scalar(let e): return e.server.parameters
        case .vector(let e): return e.parameters
        }
    }

    /// The server's current H (HiSo), `nil` otherwise.
    public var hessian: [Float]? {
        if case .scalar(let e) = engine { return e.server.preconditioner.hessian }
        return nil
    }

    /// The server of a scalar-only run (`nil` for the baselines).
    public var server: Server? {
        if case .scalar(let e) = engine { return e.server }
        return nil
    }

    /// The simulated clients of an exact-mode scalar-only run (empty otherwise).
    public var clients: [Client] {
        if case .scalar(let e) = engine { return e.clients }
        return []
    }

    /// Each client's sync round (scalar-only methods; zeros otherwise).
    public var syncRounds: [UInt64] {
        if case .scalar(let e) = engine { return e.syncRounds }
        return Array(repeating: 0, count: configuration.clients)
    }

    /// Runs until ``RunConfiguration/rounds`` rounds are complete, the observer says stop, or
    /// the surrounding task is cancelled.
    ///
    /// The initial model is evaluated first (round 0) on a fresh run.
    ///
    /// - Returns: the curve so far.
    /// - Throws: ``FederationError/diverged(round:what:)``, ``FederationError/noValidUploads(round:excluded:)``,
    ///   ``FederationError/task(_:)`` or a checkpoint write error; the state up to the failure is kept.
    @discardableResult
    public func run(observer: (RunEvent) -> RunControl = { _ in .proceed }) throws(FederationError) -> [CurvePoint] {
        if curve.isEmpty {
            if observer(.evaluated(try evaluate())) == .stop { return curve }
        }
        while completedRounds < configuration.rounds {
            if Task.isCancelled { break }
            let start = ContinuousClock.now
            let round = UInt64(completedRounds)
            let learningRate = schedule.learningRate(round: round)
            let outcome: RoundOutcome
            do {
                switch engine {
                case .scalar(let e): outcome = try e.playRound(learningRate: learningRate, ledger: &ledger, task: task)
                case .vector(let e): outcome = try e.playRound(learningRate: learningRate, ledger: &ledger, task: task)
                }
            } catch .noValidUploads(let round, let excluded) {
                throw .diverged(round: round, what: "every sampled client (\(excluded)) returned non-finite values")
            }
            let spent = Self.seconds(ContinuousClock.now - start)
            elapsed += spent
            trainingSeconds += spent
            if !outcome.excluded.isEmpty { exclusions.append(Exclusion(round: round, clients: outcome.excluded)) }
            completedRounds += 1
            guard outcome.meanClientLoss.isFinite else {
                throw .diverged(round: round, what: "the mean client loss is \(outcome.meanClientLoss)")
            }
            var control = observer(.roundFinished(round: round, meanClientLoss: outcome.meanClientLoss, excluded: outcome.excluded))
            if completedRounds % configuration.evaluateEvery == 0 || completedRounds == configuration.rounds {
                let point = try evaluate()
                if observer(.evaluated(point)) == .stop { control = .stop }
            }
            if control == .stop { break }
        }
        return curve
    }

    /// Evaluates the current model, appends the point and writes the checkpoint if configured.
    private func evaluate() throws(FederationError) -> CurvePoint {
        let start = ContinuousClock.now
        let x = parameters
        guard x.allSatisfy(\.isFinite) else {
            throw .diverged(round: UInt64(completedRounds), what: "the model has non-finite parameters")
        }
        let evaluation: TaskEvaluation
        do {
            evaluation = try x.withUnsafeBufferPointer { try task.evaluate(at: $0) }
        } catch let error as FederationError {
            throw error
        } catch {
            throw .task(TaskFailure(stage: .evaluation(completedRounds: completedRounds), underlying: error))
        }
        guard evaluation.testLoss.isFinite, evaluation.trainLoss.isFinite else {
            throw .diverged(
                round: UInt64(completedRounds),
                what: "test loss \(evaluation.testLoss), train loss \(evaluation.trainLoss)")
        }
        elapsed += Self.seconds(ContinuousClock.now - start)
        let point = CurvePoint(
            round: completedRounds, testAccuracy: evaluation.testAccuracy, testLoss: evaluation.testLoss,
            trainLoss: evaluation.trainLoss, bytesUp: ledger.totalUp.total, bytesDown: ledger.totalDown.total,
            wallSeconds: elapsed, validationAccuracy: evaluation.validationAccuracy, validationLoss: evaluation.validationLoss)
        curve.append(point)
        if let path = checkpointPath { try checkpoint().write(to: path) }
        return point
    }

    /// The state to resume this run from.
    ///
    /// - Parameter includeHessian: whether to include the H snapshot (checked on resume).
    public func checkpoint(includeHessian: Bool = false) -> Checkpoint {
        var records: [RoundRecord] = []
        var logFirstRound: UInt64 = 0
        var vectors: [String: FloatVector] = [:]
        var hessianSnapshot: FloatVector?
        switch engine {
        case .scalar(let e):
            records = e.history
            logFirstRound = e.server.log.firstRound
            if includeHessian, let h = e.server.preconditioner.hessian { hessianSnapshot = FloatVector(h) }
        case .vector(let e):
            vectors["x"] = FloatVector(e.parameters)
            if !e.optimizer.firstMoment.isEmpty {
                vectors["m"] = FloatVector(e.optimizer.firstMoment)
                vectors["v"] = FloatVector(e.optimizer.secondMoment)
            }
        }
        return Checkpoint(
            configuration: configuration, initialModelSeed: initialModelSeed, completedRounds: completedRounds,
            records: records, logFirstRound: logFirstRound, syncRounds: syncRounds, ledger: ledger, curve: curve,
            exclusions: exclusions, wallSeconds: elapsed, hessian: hessianSnapshot, vectors: vectors,
            provenance: .current(for: configuration))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
