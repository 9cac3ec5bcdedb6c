import ArgumentParser

/// Seeds, targets, the kernel backend, output and the config file.
struct ExperimentOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A JSON or YAML file whose keys are these flag names (without --); flags given here win.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The run seed (train), or the first seed (compare) (default 0).", valueName: "s"))
    var seed: String?

    @Option(help: ArgumentHelp("compare: number of seeds, run as seed, seed+1, ... (default 3).", valueName: "N"))
    var seeds: String?

    @Option(help: ArgumentHelp("Comma list of target test accuracies (default: the task's, e.g. 0.7,0.8,0.9).", valueName: "list"))
    var targets: String?

    @Option(help: ArgumentHelp("Kernel backend: openblas or swift (default: the fastest compiled in).", valueName: "name"))
    var backend: String?

    @Option(help: ArgumentHelp("Threads for the kernels (default 1).", valueName: "n"))
    var threads: String?

    @Option(help: ArgumentHelp(
        "Output directory for curves, configs, summaries and plots (train default results/train, compare default results/compare).",
        valueName: "dir"))
    var out: String?

    @Flag(help: "Print the result as one JSON object on stdout (tables and progress go away).")
    var json = false

    @Flag(help: "More log output on stderr (debug level).")
    var verbose = false

    /// Flag name -> value as given (nil when not given); boolean flags appear only when set.
    var given: [String: String?] {
        var values: [String: String?] = [
            "seed": seed, "seeds": seeds, "targets": targets, "backend": backend, "threads": threads, "out": out,
            "json": nil, "verbose": nil,
        ]
        if json { values["json"] = "true" }
        if verbose { values["verbose"] = "true" }
        return values
    }
}
