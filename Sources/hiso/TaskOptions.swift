import ArgumentParser
import HiSoData
import HiSoExperiments
import HiSoTransformer

/// The task and its data: which model on which data set, and the task-specific knobs.
struct TaskOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The task (default digits).", valueName: "name"))
    var task: TaskName?

    @Option(help: ArgumentHelp(
        "Data directory: the peer's reference files for digits-reference (Data/digits-reference), the Fashion-MNIST "
            + "IDX files for fmnist-* (default /usr/share/datasets/fashion-mnist), a GLUE SST-2 directory "
            + "(train.tsv, dev.tsv; Data/sst2) for sst2-minilm.",
        valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp(
        "sst2-minilm: the all-MiniLM-L6-v2 directory (fetch it with Utils/fetch-minilm DIR).", valueName: "dir"))
    var modelDir: String?

    @Option(help: ArgumentHelp(
        "sst2-minilm: what is trained: head (default), last-K, non-embedding, all, lora-R[-ALPHA].", valueName: "subset"))
    var subset: TrainableSubset?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("sst2-minilm: use only the first n training sentences (default 20000).", valueName: "n"),
        transform: Checked.int(1...Int.max))
    var trainLimit: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "sst2-minilm: hold out n training sentences (before the client split) as a validation split, reported next to dev (default 0).",
            valueName: "n"),
        transform: Checked.int(0...Int.max))
    var validation: Int?

    @Option(help: ArgumentHelp("Reference partition file for digits-reference (default iid).", valueName: "split"))
    var split: DigitsDataset.ReferencePartition?

    @Option(help: ArgumentHelp(
        "How to split the training data over clients (the task chooses the default).", valueName: "kind"))
    var partition: TaskSpecification.PartitionKind?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Dirichlet concentration alpha for the dirichlet partitions.", valueName: "alpha"),
        transform: Checked.double("a positive number") { $0 > 0 })
    var alpha: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("quadratic: dimension d (default 1000).", valueName: "d"),
        transform: Checked.int(1...Int.max))
    var dimension: Int?

    @Option(help: ArgumentHelp("quadratic: eigenvalue spectrum (default log-normal).", valueName: "kind"))
    var spectrum: TaskSpecification.SpectrumKind?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "quadratic: the spectrum's parameter: log-normal sigma (default 1), power-law exponent (default 1), spike height (default 100).",
            valueName: "value"),
        transform: Checked.double("a number >= 0") { $0 >= 0 })
    var spectrumParameter: Double?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("quadratic: rank of the spiked spectrum (default 10).", valueName: "r"),
        transform: Checked.int(1...Int.max))
    var spikeRank: Int?

    @Option(help: ArgumentHelp("quadratic: diagonal (default) or rotated A = Q diag(lambda) Q^T.", valueName: "basis"))
    var basis: QuadraticBasis?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("quadratic: per-client gradient-noise scale (default 0).", valueName: "sigma"),
        transform: Checked.double("a number >= 0") { $0 >= 0 })
    var noise: Double?
}
