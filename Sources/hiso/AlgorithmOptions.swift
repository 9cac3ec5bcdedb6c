import ArgumentParser
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoOptim

/// The optimiser knobs of docs/ALGORITHM.md: methods, the ZO estimator, learning rates and
/// schedules, the HiSo Hessian rule and the adaptive server optimisers.
struct AlgorithmOptions: ParsableArguments {
    @Option(
        name: [.customLong("methods"), .customLong("method")],
        help: ArgumentHelp("Comma list of methods (compare default decomfl,hiso; train default hiso).", valueName: "list"))
    var methods: CommaList<ComparedMethod>?

    @Option(help: ArgumentHelp("Finite differences: forward (P+1 losses per step, default) or central (2P).", valueName: "scheme"))
    var estimator: DifferenceScheme?

    @Option(parsing: .unconditional, help: ArgumentHelp("Perturbations P per step (default 5).", valueName: "P"), transform: Checked.int(1...Int.max))
    var perturbations: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Perturbation radius mu (default 1e-3).", valueName: "mu"),
        transform: Checked.double("a positive number") { $0 > 0 })
    var mu: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Learning rate; a comma list is a grid (compare picks the best per method). Default: the task's.", valueName: "list"),
        transform: Checked.doubles("positive numbers") { $0 > 0 })
    var lr: [Double]?

    @Option(parsing: .unconditional, help: ArgumentHelp("Local steps tau per round (default 1).", valueName: "tau"), transform: Checked.int(1...Int.max))
    var localSteps: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Mini-batch size per client step (default 32).", valueName: "n"), transform: Checked.int(1...Int.max))
    var batchSize: Int?

    @Option(help: ArgumentHelp("Learning-rate schedule (default constant).", valueName: "kind"))
    var schedule: ScheduleKind?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("step schedule: multiply the rate by this factor every --schedule-every rounds (default 0.5).", valueName: "factor"),
        transform: Checked.double("a number in (0, 1]") { $0 > 0 && $0 <= 1 })
    var scheduleDecay: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("step schedule: rounds between two decays (default 1000).", valueName: "rounds"), transform: Checked.int(1...Int.max))
    var scheduleEvery: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("cosine schedule: final rate as a fraction of --lr (default 0).", valueName: "fraction"),
        transform: Checked.double("a number in [0, 1]") { $0 >= 0 && $0 <= 1 })
    var scheduleMinFraction: Double?

    @Option(help: ArgumentHelp("HiSo peer rule: local step feeding the H update (default last).", valueName: "step"))
    var hessianStep: HiSoPreconditioner.StepChoice?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("HiSo peer rule: EMA weight of the old H (default 0.95).", valueName: "beta"),
        transform: Checked.double("a number in [0, 1)") { $0 >= 0 && $0 < 1 })
    var beta: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("HiSo paper rule (hiso-paper): weight nu of the new term (default 0.05).", valueName: "nu"),
        transform: Checked.double("a number in (0, 1]") { $0 > 0 && $0 <= 1 })
    var nu: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("HiSo paper rule: epsilon added to each squared per-client update (default 1e-8).", valueName: "eps"),
        transform: Checked.double("a number >= 0") { $0 >= 0 })
    var epsilon: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("HiSo: floor under H when forming H^(-1/2) (default 0, the peer's rule).", valueName: "floor"),
        transform: Checked.double("a number >= 0") { $0 >= 0 })
    var hessianFloor: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("fedadam/fedadagrad/fedyogi: server learning rate (default 1e-2).", valueName: "lr"),
        transform: Checked.double("a positive number") { $0 > 0 })
    var serverLr: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("fedadam/fedyogi: first-moment weight (default 0.9).", valueName: "beta1"),
        transform: Checked.double("a number in [0, 1)") { $0 >= 0 && $0 < 1 })
    var serverBeta1: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("fedadam/fedyogi: second-moment weight (default 0.999).", valueName: "beta2"),
        transform: Checked.double("a number in [0, 1)") { $0 >= 0 && $0 < 1 })
    var serverBeta2: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("fedadam/fedadagrad/fedyogi: denominator epsilon (default 1e-8).", valueName: "eps"),
        transform: Checked.double("a positive number") { $0 > 0 })
    var serverEpsilon: Double?
}
