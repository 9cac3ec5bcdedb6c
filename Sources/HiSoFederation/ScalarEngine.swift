import HiSoKernels
import HiSoOptim

/// Plays the rounds of a scalar-only method (DeComFL, HiSo, MeZO): sampling, lazy catch-up
/// (exact mode) or direct reads (fast mode), attacks, aggregation and the ledger.
///
/// Memory: the server's state; in exact mode one ``Client`` per client (model and trainer
/// workspace, `2 d` floats each, plus `d` for a local model when `tau > 1` and `2 d` for HiSo's
/// H and s); in fast mode one shared ``LocalTrainer`` and nothing per client but its sync round
/// (with more than one thread, one trainer and task replica per lane: ``ClientLanes``).
/// ``history`` keeps every round record (the checkpoint's round log, `tau P` floats per round).
final class ScalarEngine {
    let configuration: RunConfiguration
    let server: Server
    let backend: any KernelBackend
    let estimator: ZOEstimator
    let attack: Attack
    private(set) var clients: [Client]
    private(set) var syncRounds: [UInt64]
    private(set) var history: [RoundRecord]
    private var trainer: LocalTrainer
    /// Parallel client lanes for the task ``laneSource`` (``parallelUploads(sampled:round:learningRate:task:)``).
    var lanes: ClientLanes?
    var laneSource: ObjectIdentifier?

    /// Builds the engine at round `history.count`, replaying `history` from the initial model.
    ///
    /// Clients (exact mode) are reconstructed at their sync rounds during the same replay.
    ///
    /// - Throws: ``FederationError/checkpointMismatch(file:reason:)`` when `history` is not the
    ///   contiguous rounds `0 ..< n`, ``FederationError/dimensionMismatch(what:expected:found:)``
    ///   for a record of the wrong shape, ``FederationError/checkpoint(file:reason:)`` for a sync
    ///   round beyond the history.
    init(
        configuration: RunConfiguration, initialParameters: [Float], backend: any KernelBackend,
        history: [RoundRecord] = [], syncRounds: [UInt64]? = nil, logFirstRound: UInt64 = 0
    ) throws(FederationError) {
        self.configuration = configuration
        self.backend = backend
        estimator = try configuration.makeEstimator()
        let d = initialParameters.count
        let initialPreconditioner = try configuration.makePreconditioner(dimension: d)
        attack = Attack(
            kind: configuration.attack, strength: configuration.attackStrength, attackers: configuration.attackers,
            clients: configuration.clients, seed: configuration.seed)
        trainer = LocalTrainer(
            estimator: estimator, localSteps: configuration.localSteps,
            dimension: configuration.syncMode == .fast ? d : 0, backend: backend)
        let syncs = syncRounds ?? Array(repeating: 0, count: configuration.clients)
        self.syncRounds = syncs
        self.history = history

        var x = initialParameters
        var preconditioner = initialPreconditioner
        var snapshots = [Int: ([Float], any Preconditioner)]()
        let exact = configuration.syncMode == .exact
        func capture(_ round: UInt64) {
            guard exact else { return }
            for (i, r) in syncs.enumerated() where r == round { snapshots[i] = (x, preconditioner) }
        }
        for (index, record) in history.enumerated() {
            guard record.round == UInt64(index) else {
                throw .checkpointMismatch(
                    file: "round log", reason: "record \(index) is labelled round \(record.round); the log must hold rounds 0, 1, 2, ... in order")
            }
            try RoundReplay.validate(record, perturbations: configuration.perturbations, localSteps: configuration.localSteps)
            capture(record.round)
            try x.withUnsafeMutableBufferPointer { buffer throws(FederationError) in
                try RoundReplay.apply(record, to: buffer, preconditioner: &preconditioner, backend: backend)
            }
        }
        let current = UInt64(history.count)
        capture(current)
        var log = RoundLog(firstRound: min(logFirstRound, current))
        for record in history[Int(log.firstRound)...] { log.append(record) }
        server = Server(
            parameters: x, preconditioner: preconditioner, runSeed: configuration.seed,
            perturbations: configuration.perturbations, localSteps: configuration.localSteps,
            aggregator: Aggregator(kind: configuration.aggregator, byzantineCount: configuration.byzantineCount),
            backend: backend, log: log)
        clients = []
        if exact {
            clients = try (0..<configuration.clients).map { i throws(FederationError) in
                guard let (snapshot, h) = snapshots[i] else {
                    throw .checkpoint(file: "round log", reason: "client \(i)'s sync round \(syncs[i]) is beyond the log's \(current) rounds")
                }
                return Client(
                    id: i, parameters: snapshot, preconditioner: h, estimator: estimator,
                    localSteps: configuration.localSteps, backend: backend, syncRound: syncs[i])
            }
        }
    }

    /// Downlink bytes of one record: `4 tau P` scalars plus `4 P` per per-client row, plus
    /// `4 tau P` second differences (curvature rule).
    static func recordBytes(_ record: RoundRecord) -> UInt64 {
        var floats = 0
        for step in record.steps {
            floats += step.aggregated.count + (step.curvature?.count ?? 0)
            for row in step.perClient ?? [] { floats += row.count }
        }
        return UInt64(4 * floats)
    }

    /// The bytes of a full-model download: `4 d`, plus `4 d` for H when the method learns it.
    var fullDownloadBytes: UInt64 {
        let d = UInt64(server.parameters.count)
        return 4 * d + (server.preconditioner.hessian == nil ? 0 : 4 * d)
    }

    /// Plays round `server.round`.
    func playRound(
        learningRate: Float, ledger: inout CommunicationLedger, task: any FederatedTask
    ) throws(FederationError) -> RoundOutcome {
        let round = server.round
        let c = configuration
        let sampled = ClientSampler.sample(seed: c.seed, round: round, clients: c.clients, sampled: c.sampledClients)
        var uploads: [ClientUpload] = []
        uploads.reserveCapacity(sampled.count)
        let parallel = try parallelUploads(sampled: sampled, round: round, learningRate: learningRate, task: task)
        for (slot, i) in sampled.enumerated() {
            var down = TrafficBytes(header: 8)
            let r0 = syncRounds[i]
            let fallback = !server.log.covers(from: r0)
            if fallback {
                down.fullVectors = fullDownloadBytes
                if c.syncMode == .exact {
                    try clients[i].download(parameters: server.parameters, preconditioner: server.preconditioner, round: round)
                }
            } else {
                let missed = try server.catchUpRecords(from: r0)
                for record in missed { down.scalars += Self.recordBytes(record) }
                if c.syncMode == .exact { try clients[i].catchUp(with: missed) }
            }
            var upload: ClientUpload
            if let parallel {
                upload = try parallel[slot].get()
            } else {
                upload = try computeUpload(client: i, round: round, learningRate: learningRate, task: task)
            }
            attack.apply(to: &upload.scalars, client: i, round: round)
            uploads.append(upload)
            syncRounds[i] = round
            ledger.record(
                LedgerEntry(round: round, client: i, up: TrafficBytes(scalars: UInt64(4 * upload.scalars.count)), down: down),
                fullModelFallback: fallback)
        }
        let outcome = try server.finishRound(uploads: uploads, learningRate: learningRate)
        history.append(outcome.record)
        var floor = syncRounds.min() ?? server.round
        if let retention = c.logRetention, server.round > UInt64(retention) {
            floor = max(floor, server.round - UInt64(retention))
        }
        server.pruneLog(below: floor)
        return outcome
    }

    private func computeUpload(
        client i: Int, round: UInt64, learningRate: Float, task: any FederatedTask
    ) throws(FederationError) -> ClientUpload {
        let seed = configuration.seed
        let loss = { (x: UnsafeBufferPointer<Float>, step: Int) throws -> Float in
            try task.loss(at: x, batch: BatchKey(seed: seed, client: i, round: round, step: step))
        }
        do {
            if configuration.syncMode == .exact {
                return try clients[i].upload(runSeed: seed, learningRate: learningRate, loss: loss)
            }
            return try server.parameters.withUnsafeBufferPointer { x in
                try server.preconditioner.withScale { scale in
                    try trainer.upload(
                        client: i, round: round, at: x, scale: scale, runSeed: seed, learningRate: learningRate,
                        loss: loss)
                }
            }
        } catch let error as FederationError {
            throw error
        } catch {
            throw .task(TaskFailure(stage: .loss(client: i, round: round), underlying: error))
        }
    }
}
