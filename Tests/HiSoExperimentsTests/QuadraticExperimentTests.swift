import HiSoKernels
import HiSoOptim
import Testing

@testable import HiSoExperiments

@Suite("QuadraticExperiment")
struct QuadraticExperimentTests {
    static var small: QuadraticExperiment.Configuration {
        var c = QuadraticExperiment.Configuration()
        c.dimension = 30
        c.spectra = [.logNormal(sigma: 1)]
        c.seeds = 3
        c.learningRates = [0.4, 0.1, 0.025, 0.00625]
        c.maxRounds = 3000
        c.target = 0.1
        return c
    }

    @Test("one client gives exactly the bits of ZOOptimizer", arguments: QuadraticExperiment.Method.allCases)
    func matchesOptimizer(method: QuadraticExperiment.Method) throws {
        let backend = try Kernels.backend(.swift, threads: 1)
        var c = Self.small
        c.maxRounds = 40
        c.target = 0
        let problem = try QuadraticProblem(.init(dimension: 30, spectrum: .logNormal(sigma: 1), seed: 4), backend: backend)
        let run = try QuadraticExperiment.run(
            problem: problem, method: method, seed: 2, learningRate: 0.01, configuration: c, backend: backend)
        var optimizer = try ZOOptimizer(
            dimension: 30, estimator: try ZOEstimator(perturbations: c.perturbations, mu: c.mu), schedule: .constant(0.01),
            runSeed: 2, preconditioner: try QuadraticExperiment.preconditioner(method, problem: problem, configuration: c),
            backend: backend)
        var x = [Float](repeating: 0, count: 30)
        for _ in 0..<40 {
            try optimizer.step(&x, batch: ()) { p, _ in problem.loss(p, scratch: .init(start: nil, count: 0), backend: backend) }
        }
        let f = Double(problem.loss(x, backend: backend)) / Double(problem.initialLoss(backend: backend))
        #expect(run.rounds == 40)
        #expect(run.finalRatio == f)
    }

    @Test("a small experiment: every method reaches the target, the oracle's H correlates perfectly")
    func small() throws {
        var c = Self.small
        c.clients = 2
        c.noiseScale = 0.01
        var runs = 0
        let rows = try QuadraticExperiment.run(c, backend: try Kernels.backend(.swift, threads: 1)) { _ in runs += 1 }
        #expect(rows.count == 4)
        #expect(runs >= 4 * 3)
        for row in rows {
            #expect(row.reached == 3, "\(row.method)")
            #expect(row.learningRate != nil)
            #expect(row.medianRounds != nil)
        }
        let oracle = try #require(rows.first { $0.method == .oracle })
        #expect(abs((oracle.medianCorrelation ?? 0) - 1) < 1e-6)
        #expect(rows.first { $0.method == .decomfl }?.medianCorrelation == nil)
        let table = QuadraticExperiment.markdownTable(rows)
        #expect(table.contains("HiSo (paper rule)"))
        #expect(table.split(separator: "\n").count == 6)
    }

    @Test("invalid configurations throw")
    func invalid() {
        var c = Self.small
        c.seeds = 0
        #expect(throws: OptimError.self) { try QuadraticExperiment.run(c, backend: try Kernels.backend(.swift, threads: 1)) }
        c = Self.small
        c.learningRates = [0.1, -1]
        #expect(throws: OptimError.self) { try QuadraticExperiment.run(c, backend: try Kernels.backend(.swift, threads: 1)) }
    }
}
