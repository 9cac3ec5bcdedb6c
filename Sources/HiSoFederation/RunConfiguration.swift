import HiSoKernels
import HiSoOptim

/// Every knob of a federated run (docs/ALGORITHM.md), as one `Codable` value.
///
/// A run is a pure function of its configuration (including ``seed``) and its task: the same
/// configuration run twice gives bit-identical curves, whatever ``threads`` and ``backend`` are
/// (the random streams do not depend on them; GEMM rounding may differ between backends).
///
/// Decoding accepts partial documents: every missing key takes the default shown here, so a
/// config file only lists what it changes. Call ``validate()`` (``FederatedRun`` does) before use.
public struct RunConfiguration: Codable, Sendable, Equatable {
    /// The training method.
    public var method: FederatedMethod = .decomfl
    /// Number of clients `M`.
    public var clients: Int = 8
    /// Clients sampled per round `m` (uniformly, without replacement).
    public var sampledClients: Int = 2
    /// Local steps per round `tau`.
    public var localSteps: Int = 1
    /// Perturbations per step `P`.
    public var perturbations: Int = 5
    /// Perturbation radius `mu`.
    public var mu: Float = 1e-3
    /// Finite-difference scheme.
    public var scheme: DifferenceScheme = .forward
    /// Base learning rate `eta` (client learning rate for FedAvg-type methods).
    public var learningRate: Float = 1e-2
    /// Learning-rate schedule over rounds.
    public var schedule: ScheduleKind = .constant
    /// Step schedule: multiplicative decay.
    public var scheduleDecay: Float = 0.5
    /// Step schedule: rounds between decays.
    public var scheduleEvery: Int = 1000
    /// Cosine schedule: final learning rate as a fraction of ``learningRate``.
    public var scheduleMinimumFraction: Float = 0
    /// Number of rounds to run.
    public var rounds: Int = 1000
    /// Evaluate (test accuracy, test loss, train loss) every this many rounds, and after the last.
    public var evaluateEvery: Int = 25
    /// Aggregation rule over the sampled clients' uploads.
    public var aggregator: AggregatorKind = .mean
    /// `f`: attackers tolerated by trimmed mean and Krum.
    public var byzantineCount: Int = 0
    /// Simulated attack applied by the attacking clients.
    public var attack: AttackKind = .none
    /// Number of attacking clients (a seeded subset of the `M` clients).
    public var attackers: Int = 0
    /// Attack strength (noise standard deviation or multiplier).
    public var attackStrength: Float = 1
    /// HiSo: Hessian update rule.
    public var hessianRule: HessianRule = .peer
    /// HiSo peer rule: which local step feeds the EMA.
    public var hessianStep: HiSoPreconditioner.StepChoice = .last
    /// HiSo peer rule: EMA weight of the old H.
    public var beta: Float = 0.95
    /// HiSo paper rule: weight `nu` of the new term.
    public var nu: Float = 0.05
    /// HiSo paper rule: `epsilon` added to each squared per-client update.
    public var epsilon: Float = 1e-8
    /// HiSo: floor under H when forming `H^(-1/2)` (0 = the peer's unfloored rule).
    public var hessianFloor: Float = 0
    /// FedAdam/FedAdagrad/FedYogi: server learning rate.
    public var serverLearningRate: Float = 1e-2
    /// FedAdam/FedYogi: first-moment weight.
    public var serverBeta1: Float = 0.9
    /// FedAdam/FedYogi: second-moment weight.
    public var serverBeta2: Float = 0.999
    /// FedAdam/FedAdagrad/FedYogi: denominator epsilon.
    public var serverEpsilon: Float = 1e-8
    /// The run seed: derives step seeds, client sampling, batches, attackers and the initial model.
    public var seed: UInt64 = 0
    /// Kernel backend (`nil` = the fastest compiled in).
    public var backend: BackendKind? = nil
    /// Threads for the kernels.
    public var threads: Int = 1
    /// Client synchronisation: exact replay or fast simulation.
    public var syncMode: SyncMode = .fast
    /// Rounds of log the server retains for stale clients (`nil` = everything still needed).
    /// A client older than this downloads the full model instead (counted by the ledger).
    public var logRetention: Int? = nil

    /// The default configuration (the digits calibration setting with DeComFL).
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case method, clients, sampledClients, localSteps, perturbations, mu, scheme, learningRate
        case schedule, scheduleDecay, scheduleEvery, scheduleMinimumFraction, rounds, evaluateEvery
        case aggregator, byzantineCount, attack, attackers, attackStrength, hessianRule, hessianStep
        case beta, nu, epsilon, hessianFloor, serverLearningRate, serverBeta1, serverBeta2
        case serverEpsilon, seed, backend, threads, syncMode, logRetention
    }

    /// Decodes a configuration; missing keys keep their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        let d = RunConfiguration()
        method = try value(.method, d.method)
        clients = try value(.clients, d.clients)
        sampledClients = try value(.sampledClients, d.sampledClients)
        localSteps = try value(.localSteps, d.localSteps)
        perturbations = try value(.perturbations, d.perturbations)
        mu = try value(.mu, d.mu)
        scheme = try value(.scheme, d.scheme)
        learningRate = try value(.learningRate, d.learningRate)
        schedule = try value(.schedule, d.schedule)
        scheduleDecay = try value(.scheduleDecay, d.scheduleDecay)
        scheduleEvery = try value(.scheduleEvery, d.scheduleEvery)
        scheduleMinimumFraction = try value(.scheduleMinimumFraction, d.scheduleMinimumFraction)
        rounds = try value(.rounds, d.rounds)
        evaluateEvery = try value(.evaluateEvery, d.evaluateEvery)
        aggregator = try value(.aggregator, d.aggregator)
        byzantineCount = try value(.byzantineCount, d.byzantineCount)
        attack = try value(.attack, d.attack)
        attackers = try value(.attackers, d.attackers)
        attackStrength = try value(.attackStrength, d.attackStrength)
        hessianRule = try value(.hessianRule, d.hessianRule)
        hessianStep = try value(.hessianStep, d.hessianStep)
        beta = try value(.beta, d.beta)
        nu = try value(.nu, d.nu)
        epsilon = try value(.epsilon, d.epsilon)
        hessianFloor = try value(.hessianFloor, d.hessianFloor)
        serverLearningRate = try value(.serverLearningRate, d.serverLearningRate)
        serverBeta1 = try value(.serverBeta1, d.serverBeta1)
        serverBeta2 = try value(.serverBeta2, d.serverBeta2)
        serverEpsilon = try value(.serverEpsilon, d.serverEpsilon)
        seed = try value(.seed, d.seed)
        backend = try c.decodeIfPresent(BackendKind.self, forKey: .backend)
        threads = try value(.threads, d.threads)
        syncMode = try value(.syncMode, d.syncMode)
        logRetention = try c.decodeIfPresent(Int.self, forKey: .logRetention)
    }
}
