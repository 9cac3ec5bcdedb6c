import HiSoKernels
import HiSoOptim

/// Plays the rounds of the full-vector baselines (FedZO, FedAvg, FedAdam, FedAdagrad, FedYogi).
///
/// Round `r`: each sampled client downloads `x` (8 header + `4 d` bytes), runs `tau` local steps
/// from it — ZO-SGD with its own seeds for FedZO
/// (`StepSeed.derive(mix(runSeed ^ (client + 1) * 0x9E3779B97F4A7C15), r, k)`), SGD with true
/// gradients otherwise — and uploads its delta `x_local - x` (`4 d` bytes). Non-finite deltas are
/// excluded; the rest are aggregated and applied by the ``ServerOptimizer``.
///
/// Memory: `x`, one local model and workspace, and `m` delta buffers allocated once and reused
/// every round (`(m + 3) d` floats, plus `2 d` for the adaptive methods); the aggregate is one
/// `d`-float array per round.
final class VectorEngine {
    let configuration: RunConfiguration
    let backend: any KernelBackend
    let estimator: ZOEstimator
    let attack: Attack
    let aggregator: Aggregator
    private(set) var parameters: [Float]
    private(set) var optimizer: ServerOptimizer
    private(set) var round: UInt64
    private var local: [Float]
    private var workspace: [Float]
    /// FedZO's local ZO-SGD, through the package's one round loop.
    private let trainer: LocalTrainer
    private var scalars: [Float]
    /// One delta buffer per sampled client, allocated in the first round and reused.
    private var deltas: [[Float]] = []

    init(
        configuration: RunConfiguration, parameters: [Float], optimizer: ServerOptimizer? = nil,
        round: UInt64 = 0, backend: any KernelBackend
    ) throws(FederationError) {
        self.configuration = configuration
        self.backend = backend
        estimator = try configuration.makeEstimator()
        attack = Attack(
            kind: configuration.attack, strength: configuration.attackStrength, attackers: configuration.attackers,
            clients: configuration.clients, seed: configuration.seed)
        aggregator = Aggregator(kind: configuration.aggregator, byzantineCount: configuration.byzantineCount)
        self.parameters = parameters
        self.optimizer = optimizer ?? ServerOptimizer(
            method: configuration.method, dimension: parameters.count, learningRate: configuration.serverLearningRate,
            beta1: configuration.serverBeta1, beta2: configuration.serverBeta2, epsilon: configuration.serverEpsilon)
        self.round = round
        let d = parameters.count
        local = [Float](repeating: 0, count: d)
        workspace = [Float](repeating: 0, count: configuration.method.needsGradient ? d : 0)
        trainer = LocalTrainer(
            estimator: estimator, localSteps: configuration.localSteps,
            dimension: configuration.method == .fedzo ? d : 0, backend: backend)
        scalars = [Float](repeating: 0, count: configuration.method == .fedzo ? configuration.localSteps * configuration.perturbations : 0)
    }

    /// The seed stream of `client`'s own FedZO directions.
    static func clientSeed(runSeed: UInt64, client: Int) -> UInt64 {
        SplitMix64.mix(runSeed ^ (UInt64(client + 1) &* 0x9E37_79B9_7F4A_7C15))
    }

    /// Plays round ``round``.
    func playRound(
        learningRate: Float, ledger: inout CommunicationLedger, task: any FederatedTask
    ) throws(FederationError) -> RoundOutcome {
        let c = configuration
        let d = parameters.count
        let sampled = ClientSampler.sample(seed: c.seed, round: round, clients: c.clients, sampled: c.sampledClients)
        var included: [Int] = []
        var excluded: [Int] = []
        var lossSum: Float = 0
        for i in sampled {
            let slot = included.count
            if deltas.count == slot { deltas.append([Float](repeating: 0, count: d)) }
            let loss = try localTraining(client: i, learningRate: learningRate, task: task, delta: &deltas[slot])
            attack.apply(to: &deltas[slot], client: i, round: round)
            ledger.record(LedgerEntry(
                round: round, client: i, up: TrafficBytes(fullVectors: UInt64(4 * d)),
                down: TrafficBytes(header: 8, fullVectors: UInt64(4 * d))))
            if loss.isFinite && deltas[slot].allSatisfy(\.isFinite) {
                included.append(i)
                lossSum += loss
            } else {
                excluded.append(i)
            }
        }
        guard !included.isEmpty else { throw .noValidUploads(round: round, excluded: excluded) }
        optimizer.apply(delta: aggregator.aggregate(Array(deltas[0..<included.count])), to: &parameters)
        let record = RoundRecord(round: round, steps: [])
        round += 1
        return RoundOutcome(record: record, included: included, excluded: excluded, meanClientLoss: lossSum / Float(included.count))
    }

    /// `tau` local steps of client `i` from `x`; writes its delta `x_local - x` into `delta`
    /// (`d` floats) and returns its first loss.
    private func localTraining(
        client i: Int, learningRate: Float, task: any FederatedTask, delta: inout [Float]
    ) throws(FederationError) -> Float {
        let c = configuration
        let r = round
        var firstLoss: Float = 0
        let backend = self.backend
        let clientSeed = Self.clientSeed(runSeed: c.seed, client: i)
        do {
            if c.method == .fedzo {
                firstLoss = try local.withUnsafeMutableBufferPointer { model in
                    try scalars.withUnsafeMutableBufferPointer { g in
                        try parameters.withUnsafeBufferPointer { x in
                            try trainer.train(
                                from: x, into: model, scale: nil, runSeed: clientSeed, round: r, learningRate: learningRate,
                                scalars: g
                            ) { point, k in try task.loss(at: point, batch: BatchKey(seed: c.seed, client: i, round: r, step: k)) }
                        }
                    }
                }
            } else {
                try local.withUnsafeMutableBufferPointer { model in
                    parameters.withUnsafeBufferPointer { x in _ = model.update(fromContentsOf: x) }
                    try workspace.withUnsafeMutableBufferPointer { work in
                        for k in 0..<c.localSteps {
                            let batch = BatchKey(seed: c.seed, client: i, round: r, step: k)
                            let value = try task.lossAndGradient(at: UnsafeBufferPointer(model), gradient: work, batch: batch)
                            backend.axpy(UnsafeBufferPointer(work), alpha: -learningRate, model)
                            if k == 0 { firstLoss = value }
                        }
                    }
                }
            }
        } catch let error as FederationError {
            throw error
        } catch {
            throw .task(TaskFailure(stage: .loss(client: i, round: r), underlying: error))
        }
        delta.withUnsafeMutableBufferPointer { out in
            local.withUnsafeBufferPointer { model in
                parameters.withUnsafeBufferPointer { x in
                    for j in 0..<out.count { out[j] = model[j] - x[j] }
                }
            }
        }
        return firstLoss
    }
}
