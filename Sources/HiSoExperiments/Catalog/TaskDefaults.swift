import HiSoFederation

/// A task's default experiment: the run configuration, learning-rate grid, targets, methods and
/// seed count that `hiso compare` uses when no flag overrides them.
public struct TaskDefaults: Sendable {
    /// The data/model specification.
    public var specification: TaskSpecification
    /// The run configuration (method, learning rate and seed are set per run).
    public var configuration: RunConfiguration
    /// The learning rates tried per method (one value = no grid).
    public var learningRates: [Double]
    /// Target test accuracies, ascending.
    public var targets: [Double]
    /// The methods compared.
    public var methods: [ComparedMethod]
    /// Seeds per method and learning rate.
    public var seeds: Int

    /// The defaults of `name`.
    ///
    /// - digits, digits-reference: the peer's calibration setting: 8 clients, 2 sampled, tau 1,
    ///   P 5, mu 1e-3, forward differences, batch 32, lr 1e-2, MLP 64-32-10, evaluation every 25
    ///   rounds, 1,500 rounds (2,000 for the dir0.5 split), targets 70/80/90%, DeComFL vs HiSo,
    ///   3 seeds.
    /// - fmnist-*: the HiSo paper's image setting: 64 clients, Dirichlet alpha 1, 4 sampled,
    ///   tau 1, P 5, mu 1e-3, forward, batch 32, lr 1e-3, 3,000 rounds, evaluation every 100
    ///   rounds, targets 60/70/75/80%.
    /// - quadratic: d = 1000, log-normal spectrum, 8 clients, 2 sampled, P 5, mu 1e-3, lr 0.5,
    ///   3,000 rounds, targets 0.9 and 0.99 of the initial suboptimality removed.
    /// - sst2-minilm: the paper-like LLM setting: 6 clients, 2 sampled, tau 1, P 5, mu 1e-3,
    ///   forward, batch 32, lr 3e-3 (the measured best for HiSo; 1e-2 for DeComFL), head only,
    ///   first 20,000 training sentences, 2,000 rounds, evaluation every 200 rounds, targets 70/80%.
    public init(_ name: TaskName, referenceSplit: String = "iid") {
        var spec = TaskSpecification(name: name)
        spec.referenceSplit = referenceSplit
        var c = RunConfiguration()
        c.method = .decomfl
        c.localSteps = 1
        c.perturbations = 5
        c.mu = 1e-3
        c.scheme = .forward
        switch name {
        case .digits, .digitsReference:
            c.clients = 8
            c.sampledClients = 2
            c.rounds = name == .digitsReference && referenceSplit == "dir0.5" ? 2000 : 1500
            c.evaluateEvery = 25
            learningRates = [1e-2]
            targets = [0.7, 0.8, 0.9]
        case .fmnistMLP, .fmnistCNN, .fmnistCNNLarge:
            c.clients = 64
            c.sampledClients = 4
            c.rounds = 3000
            c.evaluateEvery = 100
            learningRates = [1e-3]
            targets = [0.6, 0.7, 0.75, 0.8]
        case .quadratic:
            c.clients = 8
            c.sampledClients = 2
            c.rounds = 3000
            c.evaluateEvery = 25
            learningRates = [0.5]
            targets = [0.9, 0.99]
        case .sst2Minilm:
            c.clients = 6
            c.sampledClients = 2
            c.rounds = 2000
            c.evaluateEvery = 200
            learningRates = [3e-3]
            targets = [0.7, 0.8]
        }
        c.learningRate = Float(learningRates[0])
        specification = spec
        configuration = c
        methods = [.decomfl, .hiso]
        seeds = 3
    }
}
