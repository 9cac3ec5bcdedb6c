import HiSoFederation
import HiSoKernels
import HiSoOptim
import HiSoWire
import Logging

/// The server role: plays the rounds of a scalar-only run with clients that connect over the
/// network, around the protocol core's ``Server``.
///
/// Round `r`:
/// 1. wait until ``ServerSettings/minimumClients`` clients are connected (heard of within
///    ``ServerSettings/liveness``); sample `min(m, connected)` of them with ``ClientSampler``
///    over the connected clients in ascending order (with every client connected this is the
///    in-process simulation's sample);
/// 2. hand each sampled client its assignment (the round, its learning rate and the records it
///    must replay) and collect uploads until all answered or the deadline passed;
/// 3. with at least ``ServerSettings/minimumAnswers`` uploads: ``Server/finishRound(uploads:learningRate:)``
///    aggregates and replays the round on the server's `x` and `H`; the record is appended to
///    the ``DurableLog`` (fsync) and only then announced. With fewer: resample or keep waiting.
///
/// A restarted coordinator replays its log from the initial model (checking every stored
/// checkpoint bit for bit) and redoes the round that was open.
///
/// Every refused request is counted by kind (``refuse(_:)``) and logged; a refusal never
/// changes the model. Memory: the server's state (`d` floats, `2 d` more for HiSo), the round
/// log (`tau P` floats per round), and O(1) per connected client.
public actor FederationCoordinator {
    /// The run and task.
    public nonisolated let configuration: NetworkConfiguration
    /// The server settings.
    public nonisolated let settings: ServerSettings
    private let server: Server
    private let task: any FederatedTask
    private let durable: DurableLog
    private let logger: Logger
    private var participants: [[UInt32]]
    private var lastSeen: [UInt32: ContinuousClock.Instant] = [:]
    private var open: OpenRound?
    private var refusals: [String: UInt64] = [:]
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var finished = false
    private var informedOfEnd: Set<UInt32> = []
    private var lastAccuracy = Double.nan

    private struct OpenRound {
        var round: UInt64
        var learningRate: Float
        var sampled: [UInt32]
        var uploads: [UInt32: ClientUpload]
        var deadline: ContinuousClock.Instant
    }

    /// Opens (or resumes) the run stored in the log at `logPath`.
    ///
    /// - Parameters:
    ///   - configuration: the run; `nil` = the one stored in the log. A configuration that
    ///     differs from the stored one is refused.
    ///   - settings: how rounds are run.
    ///   - logPath: the durable log (created with `configuration` when absent or empty).
    ///   - logger: where rounds, evaluations and refusals are reported.
    /// - Throws: ``NetworkError`` for a corrupted or foreign log, a bad configuration, or a task
    ///   that cannot be built.
    /// - Complexity: one ``RoundReplay`` per logged round.
    public init(
        configuration: NetworkConfiguration?, settings: ServerSettings, logPath: String, logger: Logger
    ) throws(NetworkError) {
        let (durable, entries) = try DurableLog.open(path: logPath)
        if durable.droppedTailBytes > 0 {
            logger.warning("round log \(logPath): cut a torn tail of \(durable.droppedTailBytes) bytes")
        }
        let state = try LogReplay.replay(entries, expecting: configuration, file: logPath)
        let run = state.configuration.run
        try settings.validate(sampledClients: run.sampledClients)
        if entries.isEmpty {
            var entry = Hiso_Federation_V1_LogEntry()
            entry.configuration = try state.configuration.wire()
            try durable.append(entry)
        }
        self.configuration = state.configuration
        self.settings = settings
        self.task = state.task
        self.durable = durable
        self.logger = logger
        participants = state.participants
        let log = state.log
        server = Server(
            parameters: state.parameters, preconditioner: state.preconditioner, runSeed: run.seed,
            perturbations: run.perturbations, localSteps: run.localSteps,
            aggregator: Aggregator(kind: run.aggregator, byzantineCount: run.byzantineCount), backend: state.backend, log: log)
        if log.endRound > 0 { logger.info("resumed from \(logPath) after \(log.endRound) committed rounds") }
    }

    // MARK: - Rounds

    /// Plays the rounds from the first uncommitted one to the configured total (or until the
    /// surrounding task is cancelled, between rounds or while waiting).
    ///
    /// - Throws: ``NetworkError/storage(file:reason:)`` when a round cannot be committed (the
    ///   process must stop: the in-memory state is one round ahead of the disk),
    ///   ``NetworkError/federation(_:)`` when the core refuses the round.
    public func run() async throws(NetworkError) {
        let ticker = makeTicker()
        defer { ticker.cancel() }
        let run = configuration.run
        while Int(server.round) < run.rounds {
            let round = server.round
            let learningRate = run.learningRateSchedule.learningRate(round: round)
            var uploads: [ClientUpload] = []
            while uploads.isEmpty {
                guard let connected = await waitForClients() else { return }
                let picks = ClientSampler.sample(
                    seed: run.seed, round: round, clients: connected.count, sampled: min(run.sampledClients, connected.count)
                ).map { connected[$0] }
                open = OpenRound(
                    round: round, learningRate: learningRate, sampled: picks, uploads: [:],
                    deadline: .now + settings.roundDeadline)
                logger.info("round \(round) open: sampled \(picks)")
                notifyAll()
                uploads = await collectUploads()
            }
            try commit(uploads: uploads, learningRate: learningRate)
        }
        finished = true
        open = nil
        logger.info("run finished after \(server.round) rounds")
        notifyAll()
    }

    /// Waits until enough clients are connected; returns them in ascending order (`nil` when
    /// the task is cancelled).
    private func waitForClients() async -> [UInt32]? {
        while !Task.isCancelled {
            let connected = connectedClients()
            if connected.count >= max(settings.minimumClients, settings.minimumAnswers) { return connected }
            await waitForChange()
        }
        return nil
    }

    /// Waits for the open round's uploads until everyone answered or the deadline passed;
    /// returns them (empty when the round must be sampled again).
    private func collectUploads() async -> [ClientUpload] {
        while !Task.isCancelled {
            guard let current = open else { return [] }
            if current.uploads.count == current.sampled.count { break }
            if ContinuousClock.now >= current.deadline {
                if current.uploads.count >= min(settings.minimumAnswers, current.sampled.count) { break }
                let silent = current.sampled.filter { current.uploads[$0] == nil }
                if settings.resample {
                    for client in silent { lastSeen[client] = nil }
                    logger.warning("round \(current.round): \(current.uploads.count) answers at the deadline, sampling again without \(silent)")
                    open = nil
                    return []
                }
                open?.deadline = .now + settings.roundDeadline
                logger.warning("round \(current.round): \(current.uploads.count) answers at the deadline, waiting for \(silent)")
            }
            await waitForChange()
        }
        guard let current = open, !Task.isCancelled else { return [] }
        for client in current.sampled where current.uploads[client] == nil {
            lastSeen[client] = nil
            logger.warning("round \(current.round) closes without client \(client)")
        }
        return current.uploads.values.sorted { $0.client < $1.client }
    }

    /// Aggregates, replays and durably logs the open round, then announces it.
    private func commit(uploads: [ClientUpload], learningRate: Float) throws(NetworkError) {
        let outcome: RoundOutcome
        do {
            outcome = try server.finishRound(uploads: uploads, learningRate: learningRate)
        } catch {
            throw .federation(error)
        }
        let included = outcome.included.map { UInt32($0) }
        var entry = Hiso_Federation_V1_LogEntry()
        entry.round = outcome.record.wire(participants: included)
        try durable.append(entry)
        participants.append(included)
        let round = outcome.record.round
        let done = Int(server.round)
        if done % settings.checkpointEvery == 0 || done == configuration.run.rounds {
            var snapshot = Hiso_Federation_V1_LogEntry()
            snapshot.checkpoint = modelCheckpoint()
            try durable.append(snapshot)
        }
        open = nil
        logger.info("round \(round) committed: clients \(included), mean client loss \(outcome.meanClientLoss)")
        let every = settings.evaluateEvery ?? configuration.run.evaluateEvery
        if done % every == 0 || done == configuration.run.rounds { evaluate() }
        notifyAll()
    }

    private func evaluate() {
        do {
            let evaluation = try server.parameters.withUnsafeBufferPointer { try task.evaluate(at: $0) }
            lastAccuracy = evaluation.testAccuracy ?? .nan
            logger.info(
                "evaluation after \(server.round) rounds: test accuracy \(evaluation.testAccuracy.map { "\($0)" } ?? "-"), test loss \(evaluation.testLoss), train loss \(evaluation.trainLoss)")
        } catch {
            logger.error("evaluation after \(server.round) rounds failed: \(error)")
        }
    }

    // MARK: - Requests

    /// The answer to a client's request for work: an assignment when it is sampled in the open
    /// round, "finished" once the run is over, "idle" after ``ServerSettings/pollTimeout``.
    ///
    /// - Throws: ``NetworkError/unknownClient(client:clients:)``,
    ///   ``NetworkError/malformedMessage(what:)`` for a sync round ahead of the server.
    public func nextTask(client: UInt32, syncRound: UInt64) async throws(NetworkError) -> Hiso_Federation_V1_RoundTask {
        try checkClient(client)
        guard syncRound <= server.round else {
            throw .malformedMessage(what: "client \(client) claims sync round \(syncRound), the server has committed \(server.round) rounds")
        }
        let deadline = ContinuousClock.now + settings.pollTimeout
        var reply = Hiso_Federation_V1_RoundTask()
        while true {
            touch(client)
            if finished {
                var end = Hiso_Federation_V1_Finished()
                end.endRound = server.round
                end.catchUp = try records(from: syncRound)
                reply.finished = end
                informedOfEnd.insert(client)
                notifyAll()
                return reply
            }
            if let current = open, current.sampled.contains(client), current.uploads[client] == nil {
                var assignment = Hiso_Federation_V1_Assignment()
                assignment.round = current.round
                assignment.learningRate = current.learningRate
                assignment.catchUp = try records(from: syncRound)
                let left = current.deadline - .now
                assignment.deadlineMs = UInt64(max(0, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
                reply.assignment = assignment
                return reply
            }
            if ContinuousClock.now >= deadline {
                var idle = Hiso_Federation_V1_Idle()
                idle.serverRound = server.round
                reply.idle = idle
                return reply
            }
            await waitForChange()
        }
    }

    /// Accepts an upload for the open round.
    ///
    /// - Throws: ``NetworkError/notSampled(client:round:)`` (not sampled, or not the open round:
    ///   a replayed upload), ``NetworkError/duplicateUpload(client:round:)``,
    ///   ``NetworkError/wrongScalarCount(client:expected:found:)``,
    ///   ``NetworkError/nonFiniteScalar(client:index:)``.
    public func upload(client: UInt32, round: UInt64, scalars: [Float], loss: Float) throws(NetworkError) {
        try checkClient(client)
        touch(client)
        guard let current = open, current.round == round, current.sampled.contains(client) else {
            throw .notSampled(client: client, round: round)
        }
        guard current.uploads[client] == nil else { throw .duplicateUpload(client: client, round: round) }
        let expected = configuration.run.scalarsPerUpload
        guard scalars.count == expected else {
            throw .wrongScalarCount(client: client, expected: expected, found: scalars.count)
        }
        if let index = scalars.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteScalar(client: client, index: index) }
        open?.uploads[client] = ClientUpload(client: Int(client), round: round, scalars: scalars, loss: loss)
        notifyAll()
    }

    /// The committed records from `round` on (a client's catch-up).
    ///
    /// - Throws: ``NetworkError/federation(_:)`` when `round` is not in the log.
    public func catchUp(client: UInt32, from round: UInt64) throws(NetworkError) -> Hiso_Federation_V1_CatchUpReply {
        try checkClient(client)
        touch(client)
        var reply = Hiso_Federation_V1_CatchUpReply()
        reply.records = try records(from: round)
        reply.endRound = server.round
        return reply
    }

    /// Counts and logs a refused request.
    public func refuse(_ error: NetworkError) {
        refusals[error.counterKey, default: 0] += 1
        logger.warning("refused: \(error.description)")
    }

    /// The server's status: round, connected clients, refusal counters, last accuracy.
    public func status() -> Hiso_Federation_V1_StatusReply {
        var reply = Hiso_Federation_V1_StatusReply()
        reply.round = server.round
        reply.connected = UInt32(connectedClients().count)
        reply.refusals = refusals
        reply.testAccuracy = lastAccuracy
        reply.finished = finished
        return reply
    }

    /// The server's model and H after the committed rounds.
    public func modelCheckpoint() -> Hiso_Federation_V1_ModelCheckpoint {
        var snapshot = Hiso_Federation_V1_ModelCheckpoint()
        snapshot.round = server.round
        snapshot.parameters = server.parameters
        snapshot.hessian = server.preconditioner.hessian ?? []
        return snapshot
    }

    /// Waits (at most `timeout`) until every client in `0 ..< M` that is still connected has been
    /// told that the run is over, so that clients can catch up before the server stops.
    public func waitForClientsToFinish(timeout: Duration) async {
        let ticker = makeTicker()
        defer { ticker.cancel() }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !Task.isCancelled, !connectedClients().allSatisfy(informedOfEnd.contains) {
            await waitForChange()
        }
    }

    // MARK: - Bookkeeping

    private func records(from round: UInt64) throws(NetworkError) -> [Hiso_Federation_V1_RoundRecord] {
        do {
            return try server.catchUpRecords(from: round).map { $0.wire(participants: participants[Int($0.round)]) }
        } catch {
            throw .federation(error)
        }
    }

    private func checkClient(_ client: UInt32) throws(NetworkError) {
        guard Int(client) < configuration.run.clients else {
            throw .unknownClient(client: client, clients: configuration.run.clients)
        }
    }

    private func touch(_ client: UInt32) {
        if lastSeen[client] == nil { logger.info("client \(client) connected") }
        lastSeen[client] = .now
    }

    private func connectedClients() -> [UInt32] {
        let now = ContinuousClock.now
        return lastSeen.filter { now - $0.value < settings.liveness }.keys.sorted()
    }

    /// A task that wakes every waiter every 50 ms, so that deadlines are noticed.
    private func makeTicker() -> Task<Void, Never> {
        Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
                await self?.notifyAll()
            }
        }
    }

    private func waitForChange() async {
        await withCheckedContinuation { waiters.append($0) }
    }

    private func notifyAll() {
        let woken = waiters
        waiters = []
        for waiter in woken { waiter.resume() }
    }
}
