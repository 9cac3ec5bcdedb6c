import ArgumentParser
import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoOptim

/// `hiso-bench quadratic`: the quadratic lab (``QuadraticExperiment``).
///
/// HiSo (peer and paper rules), DeComFL and the oracle diagonal on `f(x) = 1/2 (x - x*)^T A (x - x*)`
/// at `d = 1000` with log-normal and power-law spectra: rounds until `f <= 1e-2 f(x0)` (median,
/// min and max over the seeds; each method's learning rate chosen from the grid `1e-4 * 2^k` by the
/// smallest median), and the correlation of the learned `H` with `diag(A)`. Prints the Markdown
/// table (or the rows as one JSON object with `--json`) and writes both to `--out`.
/// Cost: about 10-15 minutes on one core with the defaults.
struct QuadraticSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quadratic",
        abstract: "Quadratic experiment: HiSo (both rules), DeComFL and the oracle diagonal, rounds to 1e-2 suboptimality.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "The dimension d.")
    var dimension = 1000

    @Option(help: "Seeds per method.")
    var seeds = 5

    @Option(help: "Clients (all participate every round); 1 is the centralised formulation.")
    var clients = 1

    @Option(help: "Per-client gradient noise sigma (0: none).")
    var noise: Float = 0

    @Option(help: "Round budget per run.")
    var maxRounds = 20_000

    @Option(help: "Output directory.")
    var out = "results/quadratic"

    func validate() throws {
        guard dimension >= 2 else { throw ValidationError("--dimension must be at least 2, found \(dimension)") }
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1, found \(seeds)") }
        guard clients >= 1 else { throw ValidationError("--clients must be at least 1, found \(clients)") }
        guard noise >= 0, noise.isFinite else { throw ValidationError("--noise must be a finite number >= 0, found \(noise)") }
        guard maxRounds >= 1 else { throw ValidationError("--max-rounds must be at least 1, found \(maxRounds)") }
    }

    func run() throws {
        var configuration = QuadraticExperiment.Configuration()
        configuration.dimension = dimension
        configuration.seeds = options.quick ? min(seeds, 2) : seeds
        configuration.clients = clients
        configuration.noiseScale = noise
        configuration.maxRounds = options.quick ? min(maxRounds, 3000) : maxRounds
        let kind = options.backends.first ?? .openblas
        let backend = try Kernels.backend(kind, threads: options.threadCounts.first ?? 1)
        let rows = try QuadraticExperiment.run(configuration, backend: backend) { run in
            FileHandle.standardError.write(Data(
                "quadratic: \(run.spectrum) \(run.method) lr \(run.learningRate) seed \(run.seed): \(run.roundsToTarget.map(String.init) ?? "not reached")\n".utf8))
        }
        let table = QuadraticExperiment.markdownTable(rows)
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try AtomicFile.createDirectory(directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(["configuration": AnyEncodable(configuration), "rows": AnyEncodable(rows)])
        try AtomicFile.write(json, to: directory.appendingPathComponent("quadratic.json"))
        try AtomicFile.write(table + "\n", to: directory.appendingPathComponent("quadratic.md"))
        if options.json {
            FileHandle.standardOutput.write(json)
        } else {
            print(table)
        }
    }
}

/// A type-erased `Encodable`, for one JSON object holding values of different types.
private struct AnyEncodable: Encodable {
    let encodeValue: (Encoder) throws -> Void
    init<T: Encodable>(_ value: T) { encodeValue = value.encode }
    func encode(to encoder: Encoder) throws { try encodeValue(encoder) }
}
