import HiSoKernels
import HiSoTestSupport
import Testing

@testable import HiSoOptim

@Suite("ZOOptimizer")
struct ZOOptimizerTests {
    static let d = 60

    static func optimizer(
        _ preconditioner: any Preconditioner = IdentityPreconditioner(), mode: ZOOptimizer.Mode = .outOfPlace,
        scheme: DifferenceScheme = .forward, lr: Float = 0.02, backend: any KernelBackend
    ) throws -> ZOOptimizer {
        try ZOOptimizer(
            dimension: d, estimator: try ZOEstimator(perturbations: 4, mu: 1e-3, scheme: scheme), schedule: .constant(lr),
            runSeed: 3, preconditioner: preconditioner, mode: mode, backend: backend)
    }

    static func train(_ optimizer: inout ZOOptimizer, problem: QuadraticProblem, steps: Int) throws -> [Float] {
        var x = [Float](repeating: 0, count: d)
        let backend = optimizer.backend
        for _ in 0..<steps {
            try optimizer.step(&x, batch: ()) { p, _ in problem.loss(p, scratch: .init(start: nil, count: 0), backend: backend) }
        }
        return x
    }

    @Test("decreases a quadratic, for identity, HiSo (both rules) and the oracle, forward and central")
    func decreases() throws {
        let backend = OptimTestFixtures.swift
        let problem = OptimTestFixtures.quadratic(Self.d, backend: backend)
        let f0 = problem.initialLoss(backend: backend)
        let preconditioners: [any Preconditioner] = [
            IdentityPreconditioner(), try HiSoPreconditioner(dimension: Self.d),
            try HiSoPreconditioner(dimension: Self.d, rule: .paper(nu: 0.05, epsilon: 1e-8), floor: 1e-6),
            try OracleDiagonalPreconditioner(diagonal: problem.curvatureDiagonal),
        ]
        for pre in preconditioners {
            for scheme in DifferenceScheme.allCases {
                let lr: Float = pre is OracleDiagonalPreconditioner ? 0.05 : (pre is HiSoPreconditioner ? 0.01 : 0.1)
                var opt = try Self.optimizer(pre, scheme: scheme, lr: lr, backend: backend)
                let x = try Self.train(&opt, problem: problem, steps: 300)
                let f = problem.loss(x, backend: backend)
                #expect(f < 0.3 * f0, "\(type(of: pre)) \(scheme): \(f) vs \(f0)")
                #expect(opt.round == 300)
            }
        }
    }

    @Test("the in-place mode follows the out-of-place trajectory closely, without a workspace")
    func inPlace() throws {
        let backend = OptimTestFixtures.swift
        let problem = OptimTestFixtures.quadratic(Self.d, backend: backend)
        for scheme in DifferenceScheme.allCases {
            var exact = try Self.optimizer(try HiSoPreconditioner(dimension: Self.d), scheme: scheme, lr: 0.01, backend: backend)
            var frugal = try Self.optimizer(
                try HiSoPreconditioner(dimension: Self.d), mode: .inPlace, scheme: scheme, lr: 0.01, backend: backend)
            let a = try Self.train(&exact, problem: problem, steps: 30)
            let b = try Self.train(&frugal, problem: problem, steps: 30)
            #expect(maxRelativeDifference(a, b, floor: 1e-2) < 1e-2, "\(scheme)")
            #expect(problem.loss(b, backend: backend) < problem.initialLoss(backend: backend))
        }
    }

    @Test("a run is a pure function of its seed; the report carries the round record")
    func deterministic() throws {
        let backend = OptimTestFixtures.swift
        let problem = OptimTestFixtures.quadratic(Self.d, backend: backend)
        var a = try Self.optimizer(try HiSoPreconditioner(dimension: Self.d), backend: backend)
        var b = try Self.optimizer(try HiSoPreconditioner(dimension: Self.d), backend: backend)
        #expect(try Self.train(&a, problem: problem, steps: 25) == Self.train(&b, problem: problem, steps: 25))
        var x = [Float](repeating: 0, count: Self.d)
        let report = try a.step(&x, batch: ()) { p, _ in problem.loss(p, scratch: .init(start: nil, count: 0), backend: backend) }
        #expect(report.round == 25)
        #expect(report.record.steps.count == 1)
        #expect(report.record.steps[0].seed == StepSeed.derive(runSeed: 3, round: 25, step: 0))
        #expect(report.record.steps[0].perClient == nil)
        #expect(report.loss == problem.initialLoss(backend: backend))
    }

    @Test("a non-finite loss throws and leaves the parameters as they were (up to the in-place restore); bad dimensions throw")
    func errors() throws {
        let backend = OptimTestFixtures.swift
        for mode in ZOOptimizer.Mode.allCases {
            var opt = try Self.optimizer(mode: mode, backend: backend)
            var x = [Float](repeating: 0.5, count: Self.d)
            var calls = 0
            #expect(throws: OptimError.self) {
                try opt.step(&x, batch: ()) { _, _ in
                    calls += 1
                    return calls > 2 ? .nan : 1
                }
            }
            if mode == .outOfPlace {
                #expect(x == [Float](repeating: 0.5, count: Self.d))
            } else {
                #expect(x.allSatisfy { abs($0 - 0.5) < 1e-6 }, "the in-place restore is a floating-point inverse")
            }
            #expect(opt.round == 0)
            var short = [Float](repeating: 0, count: 3)
            #expect(throws: OptimError.self) { try opt.step(&short, batch: ()) { _, _ in 0 } }
        }
        #expect(throws: OptimError.self) {
            _ = try ZOOptimizer(
                dimension: 10, estimator: try ZOEstimator(perturbations: 1, mu: 1e-3), schedule: .constant(0.1), runSeed: 0,
                preconditioner: try HiSoPreconditioner(dimension: 11), backend: backend)
        }
        #expect(throws: OptimError.self) {
            _ = try ZOOptimizer(
                dimension: 10, estimator: try ZOEstimator(perturbations: 1, mu: 1e-3), schedule: .constant(-1), runSeed: 0,
                backend: backend)
        }
    }
}
