import ArgumentParser

/// The optimiser knobs of docs/ALGORITHM.md: methods, the ZO estimator, learning rates and schedules,
/// the HiSo Hessian rule and the adaptive server optimisers.
struct AlgorithmOptions: ParsableArguments {
    @Option(
        name: [.customLong("methods"), .customLong("method")],
        help: ArgumentHelp(
            "Comma list of methods: decomfl, hiso, hiso-paper, fedzo, fedavg, fedadam, fedadagrad, fedyogi, mezo "
                + "(compare default decomfl,hiso; train default hiso).",
            valueName: "list"))
    var methods: String?

    @Option(help: ArgumentHelp("Finite differences: forward (P+1 losses per step, default) or central (2P).", valueName: "scheme"))
    var estimator: String?

    @Option(help: ArgumentHelp("Perturbations P per step (default 5).", valueName: "P"))
    var perturbations: String?

    @Option(help: ArgumentHelp("Perturbation radius mu (default 1e-3).", valueName: "mu"))
    var mu: String?

    @Option(help: ArgumentHelp(
        "Learning rate; a comma list is a grid (compare picks the best per method). Default: the task's.", valueName: "list"))
    var lr: String?

    @Option(help: ArgumentHelp("Local steps tau per round (default 1).", valueName: "tau"))
    var localSteps: String?

    @Option(help: ArgumentHelp("Mini-batch size per client step (default 32).", valueName: "n"))
    var batchSize: String?

    @Option(help: ArgumentHelp("Learning-rate schedule: constant (default), step or cosine.", valueName: "kind"))
    var schedule: String?

    @Option(help: ArgumentHelp("step schedule: multiply the rate by this factor (default 0.5)...", valueName: "factor"))
    var scheduleDecay: String?

    @Option(help: ArgumentHelp("...every this many rounds (default 1000).", valueName: "rounds"))
    var scheduleEvery: String?

    @Option(help: ArgumentHelp("cosine schedule: final rate as a fraction of --lr (default 0).", valueName: "fraction"))
    var scheduleMinFraction: String?

    @Option(help: ArgumentHelp("HiSo peer rule: local step feeding the H update: last (default), first or all.", valueName: "step"))
    var hessianStep: String?

    @Option(help: ArgumentHelp("HiSo peer rule: EMA weight of the old H (default 0.95).", valueName: "beta"))
    var beta: String?

    @Option(help: ArgumentHelp("HiSo paper rule (hiso-paper): weight nu of the new term (default 0.05).", valueName: "nu"))
    var nu: String?

    @Option(help: ArgumentHelp("HiSo paper rule: epsilon added to each squared per-client update (default 1e-8).", valueName: "eps"))
    var epsilon: String?

    @Option(help: ArgumentHelp("HiSo: floor under H when forming H^(-1/2) (default 0, the peer's rule).", valueName: "floor"))
    var hessianFloor: String?

    @Option(help: ArgumentHelp("fedadam/fedadagrad/fedyogi: server learning rate (default 1e-2).", valueName: "lr"))
    var serverLr: String?

    @Option(help: ArgumentHelp("fedadam/fedyogi: first-moment weight (default 0.9).", valueName: "beta1"))
    var serverBeta1: String?

    @Option(help: ArgumentHelp("fedadam/fedyogi: second-moment weight (default 0.999).", valueName: "beta2"))
    var serverBeta2: String?

    @Option(help: ArgumentHelp("fedadam/fedadagrad/fedyogi: denominator epsilon (default 1e-8).", valueName: "eps"))
    var serverEpsilon: String?

    /// Flag name -> value as given (nil when not given).
    var given: [String: String?] {
        [
            "methods": methods, "estimator": estimator, "perturbations": perturbations, "mu": mu, "lr": lr,
            "local-steps": localSteps, "batch-size": batchSize, "schedule": schedule, "schedule-decay": scheduleDecay,
            "schedule-every": scheduleEvery, "schedule-min-fraction": scheduleMinFraction, "hessian-step": hessianStep,
            "beta": beta, "nu": nu, "epsilon": epsilon, "hessian-floor": hessianFloor, "server-lr": serverLr,
            "server-beta1": serverBeta1, "server-beta2": serverBeta2, "server-epsilon": serverEpsilon,
        ]
    }
}
