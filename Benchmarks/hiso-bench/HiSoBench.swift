// hiso-bench: the HiSo benchmark tool (release build: `swift run -c release hiso-bench kernels`).
//
// How to add to it (suite and entry authors, read this first):
// - A *suite* is one subcommand in one file: `struct ModelsSuite: BenchmarkSuite` with
//   `static let configuration = CommandConfiguration(commandName: "models", ...)`,
//   `@OptionGroup var options: BenchmarkOptions` and `func run(in context: BenchmarkContext) throws`.
//   Then add `ModelsSuite.self` to `subcommands:` below (the only edit to this file a suite needs).
//   The shared options (`--json`, `--quick`, `--backend`, `--threads`, `--trials`) come for free.
// - An *entry* is one `BenchmarkResult` passed to `context.record(_:)`. Time with
//   `context.measure { ... }` (warm-up, then the median of `--trials` >= 5 trials, each trial
//   repeating the body long enough to be timed). Loop over `context.backends` and
//   `context.threadCounts`, and make backends with `context.backend(kind, threads:)`.
//   Give a `floor` (measured in the same run) whenever one applies: `ratio = value / floor`
//   is computed for you. Units: `GFLOP/s`, `GB/s`, `Mnormals/s`, `ns/param`, `ms`.
// - The `kernels` suite is split into groups, one file each (`KernelsSuite+GEMM.swift`, ...);
//   a group is a static function `(BenchmarkContext) throws -> Void` listed in
//   `KernelsSuite.groups` (KernelsSuite.swift). Shared floors (memory bandwidth) live in
//   Floors.swift.
// - With `--json`, stdout carries exactly one JSON object; never `print` to stdout from a suite
//   (use `context.note(_:)` for progress, which goes to stderr).
import ArgumentParser

/// The `hiso-bench` command: one subcommand per benchmark suite.
@main
struct HiSoBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hiso-bench",
        abstract: "HiSo benchmarks: warm-up, then the median of >= 5 trials, with floors measured in the same run.",
        discussion: """
            Build in release mode: swift run -c release hiso-bench kernels --quick
            With --json, stdout carries exactly one JSON object with an array `results`.
            """,
        subcommands: [KernelsSuite.self, ModelsSuite.self, RoundsSuite.self, ConvergenceSuite.self, QuadraticSuite.self]
    )
}
