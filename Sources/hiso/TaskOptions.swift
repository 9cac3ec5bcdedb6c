import ArgumentParser

/// Which task to train and where its data comes from.
///
/// Every option is optional here: an unset flag falls back to the config file, then to the
/// task's defaults (see ``RunSettings``). Values are parsed and checked in ``SettingsSource`` so
/// that flags and config files get the same messages.
struct TaskOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The task: digits (built in, default), digits-reference, fmnist-mlp, fmnist-cnn, fmnist-cnn-large, quadratic, sst2-minilm.",
        valueName: "name"))
    var task: String?

    @Option(help: ArgumentHelp(
        "Data directory: the peer's reference files for digits-reference, the Fashion-MNIST IDX files for fmnist-* "
            + "(default /usr/share/datasets/fashion-mnist), a GLUE SST-2 directory (train.tsv, dev.tsv) for sst2-minilm.",
        valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp(
        "sst2-minilm: the all-MiniLM-L6-v2 directory (fetch it with Utils/fetch-minilm DIR).", valueName: "dir"))
    var modelDir: String?

    @Option(help: ArgumentHelp(
        "sst2-minilm: what is trained: head (default), last-K, non-embedding, all, lora-R[-ALPHA].", valueName: "subset"))
    var subset: String?

    @Option(help: ArgumentHelp("sst2-minilm: use only the first n training sentences (default 20000).", valueName: "n"))
    var trainLimit: String?

    @Option(help: ArgumentHelp(
        "sst2-minilm: hold out n training sentences (before the client split) as a validation split, reported next to dev (default 0).",
        valueName: "n"))
    var validation: String?

    @Option(help: ArgumentHelp("Reference partition file for digits-reference: iid (default) or dir0.5.", valueName: "split"))
    var split: String?

    @Option(help: ArgumentHelp(
        "How to split the training data over clients: iid, dirichlet or peer-dirichlet (the task chooses the default).",
        valueName: "kind"))
    var partition: String?

    @Option(help: ArgumentHelp("Dirichlet concentration alpha for the dirichlet partitions.", valueName: "alpha"))
    var alpha: String?

    @Option(help: ArgumentHelp("quadratic: dimension d (default 1000).", valueName: "d"))
    var dimension: String?

    @Option(help: ArgumentHelp(
        "quadratic: eigenvalue spectrum flat, log-normal, power-law or spiked (default log-normal).", valueName: "kind"))
    var spectrum: String?

    @Option(help: ArgumentHelp(
        "quadratic: the spectrum's parameter: log-normal sigma (default 1), power-law exponent (default 1), spike height (default 100).",
        valueName: "value"))
    var spectrumParameter: String?

    @Option(help: ArgumentHelp("quadratic: rank of the spiked spectrum (default 10).", valueName: "r"))
    var spikeRank: String?

    @Option(help: ArgumentHelp("quadratic: diagonal (default) or rotated A = Q diag(lambda) Q^T.", valueName: "basis"))
    var basis: String?

    @Option(help: ArgumentHelp("quadratic: per-client gradient-noise scale (default 0).", valueName: "sigma"))
    var noise: String?

    /// Flag name -> value as given (nil when not given).
    var given: [String: String?] {
        [
            "task": task, "data-dir": dataDir, "model-dir": modelDir, "subset": subset, "train-limit": trainLimit, "validation": validation, "split": split, "partition": partition, "alpha": alpha,
            "dimension": dimension, "spectrum": spectrum, "spectrum-parameter": spectrumParameter,
            "spike-rank": spikeRank, "basis": basis, "noise": noise,
        ]
    }
}
