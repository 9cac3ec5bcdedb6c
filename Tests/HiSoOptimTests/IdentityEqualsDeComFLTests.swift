import HiSoKernels
import Testing

@testable import HiSoOptim

@Suite("Identity equals DeComFL")
struct IdentityEqualsDeComFLTests {
    /// Runs `rounds` optimizer steps on a quadratic and returns the final parameters' bits.
    static func run(
        _ preconditioner: any Preconditioner, scheme: DifferenceScheme, rounds: Int, backend: any KernelBackend
    ) throws -> (bits: [UInt32], preconditioner: any Preconditioner) {
        let d = 48
        let problem = OptimTestFixtures.quadratic(d, backend: backend)
        var optimizer = try ZOOptimizer(
            dimension: d, estimator: try ZOEstimator(perturbations: 5, mu: 1e-3, scheme: scheme),
            schedule: .cosine(initial: 0.02, total: rounds, floor: 0.001), runSeed: 77, preconditioner: preconditioner,
            backend: backend)
        var x = [Float](repeating: 0, count: d)
        for _ in 0..<rounds {
            try optimizer.step(&x, batch: ()) { p, _ in problem.loss(p, scratch: .init(start: nil, count: 0), backend: backend) }
        }
        return (x.map(\.bitPattern), optimizer.preconditioner)
    }

    @Test("HiSo with H held at 1 (beta = 1, updated every round) gives DeComFL's bits", arguments: DifferenceScheme.allCases)
    func bitwise(scheme: DifferenceScheme) throws {
        for backend in OptimTestFixtures.backends {
            let identity = try Self.run(IdentityPreconditioner(), scheme: scheme, rounds: 60, backend: backend)
            let held = try Self.run(
                try HiSoPreconditioner(dimension: 48, rule: .peer(step: .all, beta: 1)), scheme: scheme, rounds: 60,
                backend: backend)
            #expect(identity.bits == held.bits, "\(scheme) on \(backend.kind)")
            #expect(held.preconditioner.hessian == [Float](repeating: 1, count: 48))
            let learned = try Self.run(try HiSoPreconditioner(dimension: 48), scheme: scheme, rounds: 60, backend: backend)
            #expect(learned.bits != identity.bits)
        }
    }

    @Test("the OpenBLAS and Swift backends give the same bits for a HiSo run")
    func backendsAgree() throws {
        let runs = try OptimTestFixtures.backends.map {
            try Self.run(try HiSoPreconditioner(dimension: 48), scheme: .forward, rounds: 40, backend: $0)
        }
        for run in runs.dropFirst() {
            #expect(run.bits == runs[0].bits)
            #expect(run.preconditioner.hessian == runs[0].preconditioner.hessian)
        }
    }
}
