import ArgumentParser

/// `hiso-bench kernels`: floors, the perturbation stream, the fused ZO steps and GEMM.
///
/// Each group of entries lives in its own file (`KernelsSuite+GEMM.swift`, ...) as a static
/// function taking the ``BenchmarkContext``; list it in ``groups`` to run it.
struct KernelsSuite: BenchmarkSuite {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Kernel benchmarks: floors, normals, fused ZO steps, GEMM.")

    /// One named group of entries.
    struct Group: Sendable {
        /// The name `--only` selects it by.
        let name: String
        /// Measures and records the group's entries.
        let run: @Sendable (BenchmarkContext) throws -> Void
    }

    /// The groups, run in this order.
    static let groups: [Group] = [
        Group(name: "normals", run: normalsGroup),
        Group(name: "zo_step", run: zoStepGroup),
        Group(name: "gemm", run: gemmGroup),
    ]

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Run only these groups (repeatable): \(KernelsSuite.groups.map(\.name).joined(separator: ", ")).")
    var only: [String] = []

    func validate() throws {
        let known = Set(Self.groups.map(\.name))
        for name in only where !known.contains(name) {
            throw ValidationError("unknown group '\(name)': expected one of \(Self.groups.map(\.name).joined(separator: ", "))")
        }
    }

    func run(in context: BenchmarkContext) throws {
        for group in Self.groups where only.isEmpty || only.contains(group.name) {
            context.note("kernels: \(group.name)")
            try group.run(context)
        }
    }
}
