import ArgumentParser
import HiSoKernels

/// A benchmark suite: one `hiso-bench` subcommand with the shared options.
///
/// Conform, implement ``run(in:)``, and list the type in `HiSoBench`'s `subcommands:`.
/// `run()` (ArgumentParser's entry point) is provided: it builds the context, calls
/// ``run(in:)`` and prints the report.
protocol BenchmarkSuite: ParsableCommand {
    /// The shared options; declare as `@OptionGroup var options: BenchmarkOptions`.
    var options: BenchmarkOptions { get }
    /// Measures the suite's entries and records them with `context.record(_:)`.
    func run(in context: BenchmarkContext) throws
}

extension BenchmarkSuite {
    mutating func run() throws {
        let name = Self.configuration.commandName ?? String(describing: Self.self)
        let context = BenchmarkContext(options: options, report: Report(suite: name, options: options))
        try run(in: context)
        try context.report.finish()
    }
}

/// What a suite needs while measuring: the selected backends and thread counts, the timer and
/// the report. Single-threaded use only (the suite's own thread).
final class BenchmarkContext {
    /// The shared options as given.
    let options: BenchmarkOptions
    /// Where results go.
    let report: Report

    init(options: BenchmarkOptions, report: Report) {
        self.options = options
        self.report = report
    }

    /// `--quick`: measure a reduced set.
    var quick: Bool { options.quick }
    /// The backends to measure (`--backend`, default all compiled).
    var backends: [BackendKind] { options.backends }
    /// The thread counts to measure (`--threads`, default 1 and 2).
    var threadCounts: [Int] { options.threadCounts }
    /// Timed trials per entry (`--trials`, at least 5).
    var trials: Int { options.trials }
    /// The minimum length of one timed trial: 20 ms with `--quick`, else 100 ms.
    var minTrialSeconds: Double { quick ? 0.02 : 0.1 }

    /// Makes a kernel backend; the suite's options already ensured `kind` is compiled in.
    ///
    /// - Parameter threadedGEMM: let OpenBLAS's GEMM use `threads` threads (the raw GEMM and model
    ///   forward benchmarks); `false` gives the backend training runs with (one-thread BLAS, so
    ///   that bits never depend on the thread count).
    func backend(_ kind: BackendKind, threads: Int, threadedGEMM: Bool = false) throws -> any KernelBackend {
        try Kernels.backend(kind, threads: threads, threadedGEMM: threadedGEMM)
    }

    /// Warm-up, then the median-ready timings of ``trials`` trials of `body`.
    func measure(_ body: () throws -> Void) rethrows -> TrialTimes {
        try Timing.measure(trials: trials, minTrialSeconds: minTrialSeconds, body)
    }

    /// Warm-up, then ``trials`` trials of each body, interleaved so that values and floors see
    /// the same machine load. Returns one ``TrialTimes`` per body.
    func measureInterleaved(_ bodies: [() -> Void]) -> [TrialTimes] {
        Timing.measureInterleaved(trials: trials, minTrialSeconds: minTrialSeconds, bodies)
    }

    /// Records one result (printed at once in table mode).
    func record(_ result: BenchmarkResult) { report.record(result) }

    /// A progress message on stderr.
    func note(_ message: String) { report.note(message) }
}
