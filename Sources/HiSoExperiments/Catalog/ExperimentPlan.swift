import HiSoFederation

/// A comparison to run: one task, a base configuration, methods x learning rates x seeds.
///
/// Runs are ordered seed-major (every method and learning rate of the first seed, then the next
/// seed), so an interrupted comparison still has complete seeds for every method.
public struct ExperimentPlan: Codable, Sendable, Equatable {
    /// One run of the plan.
    public struct Run: Sendable, Equatable {
        /// The method.
        public var method: ComparedMethod
        /// The learning rate.
        public var learningRate: Double
        /// The run seed.
        public var seed: UInt64
        /// The complete configuration (method, learning rate and seed applied).
        public var configuration: RunConfiguration
        /// Position in the plan, from 0.
        public var index: Int
        /// Number of runs in the plan.
        public var total: Int
    }

    /// The task.
    public var task: TaskSpecification
    /// The base configuration (method, learning rate and seed are replaced per run).
    public var configuration: RunConfiguration
    /// The methods, in report order.
    public var methods: [ComparedMethod]
    /// The learning rates tried for every method without an entry in ``methodLearningRates``.
    public var learningRates: [Double]
    /// Per-method learning-rate grids (keyed by the method's name), overriding ``learningRates``.
    public var methodLearningRates: [String: [Double]]
    /// The run seeds.
    public var seeds: [UInt64]
    /// Target test accuracies, ascending.
    public var targets: [Double]
    /// A run also diverges when an evaluation's training loss exceeds this multiple of the
    /// initial (round 0) training loss (`nil`: only non-finite values count as divergence).
    public var divergenceLossMultiple: Double?

    /// Makes a plan.
    public init(
        task: TaskSpecification, configuration: RunConfiguration, methods: [ComparedMethod], learningRates: [Double],
        methodLearningRates: [String: [Double]] = [:], seeds: [UInt64], targets: [Double], divergenceLossMultiple: Double? = nil
    ) {
        self.divergenceLossMultiple = divergenceLossMultiple
        self.task = task
        self.configuration = configuration
        self.methods = methods
        self.learningRates = learningRates
        self.methodLearningRates = methodLearningRates
        self.seeds = seeds
        self.targets = targets.sorted()
    }

    /// The learning rates tried for `method`.
    public func learningRates(for method: ComparedMethod) -> [Double] {
        methodLearningRates[method.rawValue] ?? learningRates
    }

    /// Every run, seed-major, then method, then learning rate.
    public var runs: [Run] {
        var out: [Run] = []
        for seed in seeds {
            for method in methods {
                for lr in learningRates(for: method) {
                    var c = method.configure(configuration)
                    c.learningRate = Float(lr)
                    c.seed = seed
                    out.append(Run(method: method, learningRate: lr, seed: seed, configuration: c, index: out.count, total: 0))
                }
            }
        }
        let total = out.count
        return out.map { run in
            var r = run
            r.total = total
            return r
        }
    }
}
