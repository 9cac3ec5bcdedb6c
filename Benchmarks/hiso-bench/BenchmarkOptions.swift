import ArgumentParser
import HiSoKernels

/// The options every suite shares: `@OptionGroup var options: BenchmarkOptions`.
struct BenchmarkOptions: ParsableArguments {
    @Flag(help: "Print exactly one JSON object on stdout (an array `results` plus machine metadata) instead of a table.")
    var json = false

    @Flag(help: "Run a reduced set of entries (under 60 s per suite).")
    var quick = false

    @Option(
        name: .customLong("backend"),
        help: "Backend to measure: openblas, swift or all (repeatable). Default: every backend compiled in.")
    var backendNames: [String] = []

    @Option(name: .customLong("threads"), help: "Thread count to measure (repeatable). Default: 1 and 2.")
    var threadList: [Int] = []

    @Option(help: "Timed trials per entry; the median is reported. At least 5.")
    var trials = 5

    mutating func validate() throws {
        for name in backendNames where name != "all" {
            guard let kind = BackendKind(rawValue: name) else {
                throw ValidationError("unknown backend '\(name)': expected openblas, swift or all")
            }
            guard Kernels.compiledBackends.contains(kind) else {
                throw ValidationError("backend '\(name)' is not compiled into this build (build with the default traits)")
            }
        }
        for t in threadList where t < 1 {
            throw ValidationError("--threads must be at least 1, found \(t)")
        }
        guard trials >= 5 else {
            throw ValidationError("--trials must be at least 5 (the reported value is the median of the trials), found \(trials)")
        }
    }

    /// The backends to measure, in the order of ``Kernels/compiledBackends``.
    var backends: [BackendKind] {
        if backendNames.isEmpty || backendNames.contains("all") { return Kernels.compiledBackends }
        return Kernels.compiledBackends.filter { backendNames.contains($0.rawValue) }
    }

    /// The thread counts to measure, ascending, without repeats.
    var threadCounts: [Int] {
        threadList.isEmpty ? [1, 2] : Array(Set(threadList)).sorted()
    }
}
