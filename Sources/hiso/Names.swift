import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoOptim

/// The command-line spelling of every enumerated setting, in one place, so that parsing
/// (``SettingsSource/choice(_:default:_:)``) and writing a config back (``RunSettings/flags(for:)``)
/// agree.
enum Names {
    /// `--task`.
    static let tasks: KeyValuePairs<String, TaskName> = [
        "digits": .digits, "digits-reference": .digitsReference, "fmnist-mlp": .fmnistMLP,
        "fmnist-cnn": .fmnistCNN, "fmnist-cnn-large": .fmnistCNNLarge, "quadratic": .quadratic,
        "sst2-minilm": .sst2Minilm,
    ]
    /// `--partition`.
    static let partitions: KeyValuePairs<String, TaskSpecification.PartitionKind> = [
        "iid": .iid, "dirichlet": .dirichlet, "peer-dirichlet": .peerDirichlet,
    ]
    /// `--spectrum`.
    static let spectra: KeyValuePairs<String, TaskSpecification.SpectrumKind> = [
        "flat": .flat, "log-normal": .logNormal, "power-law": .powerLaw, "spiked": .spiked,
    ]
    /// `--basis` (true = rotated).
    static let bases: KeyValuePairs<String, Bool> = ["diagonal": false, "rotated": true]
    /// `--estimator`.
    static let schemes: KeyValuePairs<String, DifferenceScheme> = ["forward": .forward, "central": .central]
    /// `--schedule`.
    static let schedules: KeyValuePairs<String, ScheduleKind> = ["constant": .constant, "step": .step, "cosine": .cosine]
    /// `--aggregator`.
    static let aggregators: KeyValuePairs<String, AggregatorKind> = [
        "mean": .mean, "median": .median, "trimmed-mean": .trimmedMean, "krum": .krum,
    ]
    /// `--attack`.
    static let attacks: KeyValuePairs<String, AttackKind> = [
        "none": .none, "gaussian": .gaussian, "sign-flip": .signFlip, "scaling": .scaling,
    ]
    /// `--hessian-step`.
    static let hessianSteps: KeyValuePairs<String, HiSoPreconditioner.StepChoice> = ["last": .last, "first": .first, "all": .all]
    /// `--sync`.
    static let syncModes: KeyValuePairs<String, SyncMode> = ["fast": .fast, "exact": .exact]
    /// `--methods`.
    static let methods: KeyValuePairs<String, ComparedMethod> = [
        "decomfl": .decomfl, "hiso": .hiso, "hiso-paper": .hisoPaper, "fedzo": .fedzo, "fedavg": .fedavg,
        "fedadam": .fedadam, "fedadagrad": .fedadagrad, "fedyogi": .fedyogi, "mezo": .mezo,
    ]

    /// The name of `value` in `table`.
    static func name<T: Equatable>(_ value: T, in table: KeyValuePairs<String, T>) -> String {
        table.first { $0.value == value }!.key
    }
}
