import ArgumentParser
import Dispatch
import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoOptim

/// `hiso-bench quadratic`: the quadratic lab's sweep (``QuadraticSweep``).
///
/// DeComFL, HiSo (peer and paper rules), hiso-curv and the oracle diagonal on
/// `f(x) = 1/2 (x - x*)^T A (x - x*)` over dimensions, spectra, scalings, bases and tolerances;
/// each (cell, method) chooses its rate from the grid `1e-4 * 2^k` on tuning seeds and reports
/// the other seeds. Every unit writes `units/<cell>-<method>.json` atomically; `--resume` keeps
/// the units whose file has the same configuration (`--report-only` only rewrites the report from
/// them); `--jobs N` runs N units at once. After every
/// unit the sweep rewrites `quadratic.md` (the report, partial until the end) and
/// `quadratic.json` (every finished unit's row and runs). Cost: hours for the whole sweep on one
/// core; `--dimensions 100 --targets 0.01` takes minutes.
struct QuadraticSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quadratic",
        abstract: "Quadratic lab sweep: DeComFL, HiSo (peer, paper), hiso-curv and the oracle diagonal, rounds to tolerance.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Dimensions, comma-separated.")
    var dimensions = "100,1000,10000"

    @Option(help: "Spectra, comma-separated: log-normal, power-law-1, power-law-2, spiked.")
    var spectra = "log-normal,power-law-1,power-law-2,spiked"

    @Option(help: "Scalings, comma-separated: scaled (max eigenvalue 1), unscaled.")
    var scalings = "scaled,unscaled"

    @Option(help: "Bases, comma-separated: diagonal, rotated.")
    var bases = "diagonal,rotated"

    @Option(help: "Tolerances (fractions of the initial suboptimality), comma-separated.")
    var targets = "0.01,0.001"

    @Option(help: "Methods, comma-separated: decomfl, hisoPeer, hisoPaper, hisoCurv, oracle.")
    var methods = "decomfl,hisoPeer,hisoPaper,hisoCurv,oracle"

    @Option(help: "Reported seeds per unit.")
    var seeds = 5

    @Option(help: "Tuning seeds per unit (choose the rate; never reported).")
    var tuningSeeds = 3

    @Option(help: "Clients (all participate every round); 1 is the centralised formulation.")
    var clients = 1

    @Option(help: "Per-client gradient noise sigma (0: none).")
    var noise: Float = 0

    @Option(help: "Round budget per run.")
    var maxRounds = 20_000

    @Option(help: "hiso-curv: EMA weight of the old estimate.")
    var curvatureBeta = CurvaturePreconditioner.defaultBeta

    @Option(help: "hiso-curv: relative floor phi.")
    var curvatureFloor = CurvaturePreconditioner.defaultFloorFraction

    @Option(help: "hiso-curv: per-round clipping factor rho.")
    var curvatureClip = CurvaturePreconditioner.defaultClipRatio

    @Option(help: "Units run at once (one thread each).")
    var jobs = 1

    @Flag(help: "Reuse the units already written in --out with the same configuration.")
    var resume = false

    @Flag(help: "Rewrite quadratic.md and quadratic.json from the units already in --out (same configuration), running nothing.")
    var reportOnly = false

    @Option(help: "Output directory.")
    var out = "results/quadratic"

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1, found \(seeds)") }
        guard tuningSeeds >= 1 else { throw ValidationError("--tuning-seeds must be at least 1, found \(tuningSeeds)") }
        guard clients >= 1 else { throw ValidationError("--clients must be at least 1, found \(clients)") }
        guard noise >= 0, noise.isFinite else { throw ValidationError("--noise must be a finite number >= 0, found \(noise)") }
        guard maxRounds >= 1 else { throw ValidationError("--max-rounds must be at least 1, found \(maxRounds)") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, found \(jobs)") }
        _ = try sweep()
    }

    /// Parses a comma list with `parse`, naming the flag in the error.
    private func list<T>(_ text: String, flag: String, _ parse: (String) -> T?) throws -> [T] {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty else { throw ValidationError("--\(flag) must not be empty") }
        return try items.map { item in
            guard let value = parse(item) else { throw ValidationError("--\(flag): unknown value '\(item)'") }
            return value
        }
    }

    /// The sweep the flags describe.
    func sweep() throws -> QuadraticSweep {
        var base = QuadraticExperiment.Configuration()
        base.seeds = options.quick ? min(seeds, 2) : seeds
        base.tuningSeeds = options.quick ? 1 : tuningSeeds
        base.clients = clients
        base.noiseScale = noise
        base.maxRounds = options.quick ? min(maxRounds, 3000) : maxRounds
        base.curvatureBeta = curvatureBeta
        base.curvatureFloor = curvatureFloor
        base.curvatureClip = curvatureClip
        var sweep = QuadraticSweep(base: base)
        sweep.dimensions = try list(dimensions, flag: "dimensions") { Int($0).flatMap { $0 >= 2 ? $0 : nil } }
        sweep.spectra = try list(spectra, flag: "spectra") { QuadraticSweep.SpectrumName(rawValue: $0) }
        sweep.scalings = try list(scalings, flag: "scalings") { ["scaled": true, "unscaled": false][$0] }
        sweep.bases = try list(bases, flag: "bases") { QuadraticProblem.Basis(rawValue: $0) }
        sweep.targets = try list(targets, flag: "targets") { Double($0).flatMap { $0 > 0 && $0 < 1 ? $0 : nil } }
        sweep.methods = try list(methods, flag: "methods") { QuadraticExperiment.Method(rawValue: $0) }
        return sweep
    }

    func run() throws {
        let sweep = try sweep()
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        let unitsDirectory = directory.appendingPathComponent("units", isDirectory: true)
        try AtomicFile.createDirectory(unitsDirectory)
        let kind = options.backends.first ?? .openblas
        let pool = SweepPool(sweep: sweep, directory: unitsDirectory, resume: resume || reportOnly)
        let write: @Sendable ([QuadraticSweep.UnitResult]) throws -> Void = { results in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(encoder.encode(results), to: directory.appendingPathComponent("quadratic.json"))
            try AtomicFile.write(sweep.markdownReport(results), to: directory.appendingPathComponent("quadratic.md"))
        }
        try write(pool.results)
        let workers = reportOnly ? 0 : min(jobs, max(1, pool.pending))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            pool.work(kind: kind, write: write)
        }
        if let failure = pool.failure { throw failure }
        let results = pool.results
        try write(results)
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(results))
        } else {
            print(sweep.markdownReport(results))
        }
    }
}

/// The units of one sweep invocation: the next unit to start and the finished results, under a
/// lock (hence `@unchecked Sendable`); running a unit happens outside it.
private final class SweepPool: @unchecked Sendable {
    let sweep: QuadraticSweep
    let directory: URL
    private let lock = NSLock()
    private var queue: [QuadraticSweep.Unit]
    private var finished: [QuadraticSweep.UnitResult]
    private(set) var failure: (any Error)?

    init(sweep: QuadraticSweep, directory: URL, resume: Bool) {
        self.sweep = sweep
        self.directory = directory
        var queue: [QuadraticSweep.Unit] = []
        var finished: [QuadraticSweep.UnitResult] = []
        for unit in sweep.units {
            if resume, let done = sweep.finished(unit, in: directory) {
                finished.append(done)
            } else {
                queue.append(unit)
            }
        }
        self.queue = queue
        self.finished = finished
    }

    var pending: Int { lock.withLock { queue.count } }
    var results: [QuadraticSweep.UnitResult] { lock.withLock { finished } }

    /// Takes units until none is left or one failed; rewrites the report after each.
    func work(kind: BackendKind, write: @Sendable ([QuadraticSweep.UnitResult]) throws -> Void) {
        do {
            let backend = try Kernels.backend(kind, threads: 1)
            while let unit = lock.withLock({ failure == nil && !queue.isEmpty ? queue.removeFirst() : nil }) {
                let start = ContinuousClock.now
                let result = try sweep.run(unit, backend: backend)
                try QuadraticSweep.write(result, unit: unit, to: directory)
                let snapshot = lock.withLock {
                    finished.append(result)
                    return finished
                }
                try lock.withLock { try write(snapshot) }
                FileHandle.standardError.write(Data(
                    "quadratic: \(unit.cell.key) \(unit.method): lr \(result.row.learningRate.map { "\($0)" } ?? "none"), median \(result.row.medianRounds.map { "\(Int($0))" } ?? "not reached") (\(ContinuousClock.now - start))\n".utf8))
            }
        } catch {
            lock.withLock { if failure == nil { failure = error } }
        }
    }
}
