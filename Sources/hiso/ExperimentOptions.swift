import ArgumentParser
import HiSoKernels

/// Seeds, targets, kernels, output and the configuration file.
struct ExperimentOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A JSON or YAML file whose keys are these flag names (without --); flags given here win.", valueName: "file"))
    var config: String?

    @Flag(help: "Print the effective configuration (every flag, in --config form) as JSON and exit without running.")
    var dumpConfig = false

    @Option(parsing: .unconditional, help: ArgumentHelp("The run seed (train), or the first seed (compare) (default 0).", valueName: "s"))
    var seed: UInt64?

    @Option(parsing: .unconditional, help: ArgumentHelp("compare: number of seeds, run as seed, seed+1, ... (default 3).", valueName: "N"), transform: Checked.int(1...10_000))
    var seeds: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Comma list of target test accuracies (default: the task's, e.g. 0.7,0.8,0.9).", valueName: "list"),
        transform: Checked.doubles("accuracies in (0, 1]") { $0 > 0 && $0 <= 1 })
    var targets: [Double]?

    @Option(help: ArgumentHelp("Kernel backend (default: the fastest compiled in).", valueName: "name"))
    var backend: BackendKind?

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads for the kernels (default 1).", valueName: "n"), transform: Checked.int(1...1024))
    var threads: Int?

    @Option(help: ArgumentHelp(
        "Output directory for curves, configs, summaries and plots (train default results/train, compare default results/compare).",
        valueName: "dir"))
    var out: String?

    @Flag(help: ArgumentHelp(
        "Replace an earlier run in --out: its files move to --out/replaced-<UTC time>/ once the new run's settings and data check out."))
    var force = false

    @Option(help: ArgumentHelp(
        "Continue the run in this folder (an earlier --out) from its checkpoints with the settings of its config.json; finished runs are reused.",
        valueName: "dir"))
    var resume: String?

    @Flag(help: "Print the result as one JSON object on stdout (tables and progress go away).")
    var json = false

    @Flag(help: "More log output on stderr (debug level).")
    var verbose = false

    @Option(help: .hidden)
    var configKeys: String?
}
