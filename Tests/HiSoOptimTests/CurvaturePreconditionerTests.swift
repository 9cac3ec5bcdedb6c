import HiSoKernels
import HiSoOptim
import Testing

@Suite("hiso-curv: the Stein curvature preconditioner")
struct CurvaturePreconditionerTests {
    /// Per-coordinate sample means and standard deviations of the one-round Stein estimate `D`
    /// under a fixed `H`, from `rounds` independent rounds measured through `LocalTrainer` at the
    /// optimum of a diagonal quadratic (where `f = 0`, so `c_p` is `u_pᵀ A u_p` up to relative
    /// rounding). With `beta = 0` and no effective clipping, the updated `E` is exactly `D`.
    static func steinSamples(
        problem: QuadraticProblem, hessian: [Float], perturbations: Int, rounds: Int, backend: any KernelBackend
    ) throws -> (mean: [Double], sd: [Double]) {
        let d = problem.dimension
        let fixed = try CurvaturePreconditioner(hessian: hessian, beta: 0, floorFraction: 1e-30, clipRatio: 1e30)
        let estimator = try ZOEstimator(perturbations: perturbations, mu: 1e-2, scheme: .central, curvature: true)
        var trainer = LocalTrainer(estimator: estimator, localSteps: 1, dimension: d, backend: backend)
        var scalars = [Float](repeating: 0, count: estimator.scalarsPerStep)
        var scratch = [Float](repeating: 0, count: problem.scratchCount)
        var sum = [Double](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: d)
        for round in 0..<UInt64(rounds) {
            fixed.withScale { scale in
                problem.optimum.withUnsafeBufferPointer { x in
                    scratch.withUnsafeMutableBufferPointer { sb in
                        scalars.withUnsafeMutableBufferPointer { out in
                            _ = trainer.run(at: x, scale: scale, runSeed: 17, round: round, learningRate: 0, scalars: out) { point, _ in
                                problem.loss(point, scratch: sb, backend: backend)
                            }
                        }
                    }
                }
            }
            let record = RoundRecord(round: round, steps: [StepScalars(
                seed: StepSeed.derive(runSeed: 17, round: round, step: 0), learningRate: 0,
                aggregated: Array(scalars[0..<perturbations]), curvature: Array(scalars[perturbations...]))])
            var sample = fixed
            try sample.update(after: record, backend: backend)
            for j in 0..<d {
                let v = Double(sample.estimate[j])
                sum[j] += v
                squares[j] += v * v
            }
        }
        let n = Double(rounds)
        let mean = sum.map { $0 / n }
        let sd = (0..<d).map { j in ((squares[j] - n * mean[j] * mean[j]) / (n - 1)).squareRoot() }
        return (mean, sd)
    }

    /// `H = diag(A) ⊙ w` with `w` in `[0.5, 2]`, so `a_i = s_i² A_ii` is of order 1 and every
    /// coordinate's estimate has a comparable relative error.
    static func fixedHessian(_ problem: QuadraticProblem) -> [Float] {
        problem.curvatureDiagonal.enumerated().map { j, a in a * (0.5 + 1.5 * Float(j % 5) / 4) }
    }

    /// The predicted standard deviation of one direction's plain Stein term (no control
    /// variate) for diagonal `A`: with `a_i = s_i² A_ii`, `X = c (z_j² - 1)`, `c = Σ a_i z_i²`,
    /// `E[X²] = 78 a_j² + 20 a_j S1' + 4 S2' + 2 S1'²` (`S1' = Σ_{i≠j} a_i`, `S2' = Σ_{i≠j} a_i²`;
    /// chi-square moments 1, 3, 15, 105), `Var X = E[X²] - 4 a_j²`, and `D_j = X / (2 s_j²)`.
    static func predictedPlainSD(problem: QuadraticProblem, hessian: [Float]) -> [Double] {
        let a = (0..<problem.dimension).map { Double(problem.curvatureDiagonal[$0]) / Double(hessian[$0]) }
        let s1 = a.reduce(0, +)
        let s2 = a.reduce(0) { $0 + $1 * $1 }
        return (0..<a.count).map { j in
            let (o1, o2) = (s1 - a[j], s2 - a[j] * a[j])
            let variance = 78 * a[j] * a[j] + 20 * a[j] * o1 + 4 * o2 + 2 * o1 * o1 - 4 * a[j] * a[j]
            return variance.squareRoot() / (2 * (1 / Double(hessian[j])))
        }
    }

    /// Every coordinate's mean is within 4 standard errors (`sd / sqrt(rounds)`) of `A_jj`, and
    /// the standard error is below `power · A_jj` (else the check could not detect a bias).
    static func expectUnbiased(problem: QuadraticProblem, mean: [Double], sd: [Double], rounds: Int, power: Double) {
        for j in 0..<problem.dimension {
            let a = Double(problem.curvatureDiagonal[j])
            let standardError = sd[j] / Double(rounds).squareRoot()
            #expect(standardError < power * a, "coordinate \(j): the test has no power (SE \(standardError), A_jj \(a))")
            #expect(abs(mean[j] - a) <= 4 * standardError, "coordinate \(j): mean \(mean[j]), A_jj \(a), SE \(standardError)")
        }
    }

    /// The estimator is unbiased: with `P = 1` (no control variate), over 100,000 rounds, every
    /// coordinate's mean is within 4 predicted standard errors of `A_jj`, and the measured
    /// spread matches the predicted one within 15 % (so the tolerance is the estimator's own,
    /// not a fitted one). The predicted relative error is at most 6 %, so a bias above about a
    /// quarter (a missing factor 2, a wrong `s²`) fails.
    @Test("P = 1: the mean of the Stein estimate matches diag(A) within its predicted standard error",
          arguments: Kernels.compiledBackends)
    func unbiasedPlain(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 1)
        let problem = OptimTestFixtures.quadratic(8, backend: backend)
        let h = Self.fixedHessian(problem)
        let rounds = 100_000
        let (mean, sd) = try Self.steinSamples(problem: problem, hessian: h, perturbations: 1, rounds: rounds, backend: backend)
        let predicted = Self.predictedPlainSD(problem: problem, hessian: h)
        Self.expectUnbiased(problem: problem, mean: mean, sd: predicted, rounds: rounds, power: 0.06)
        for j in 0..<problem.dimension {
            #expect(abs(sd[j] / predicted[j] - 1) < 0.15, "coordinate \(j): measured SD \(sd[j]), predicted \(predicted[j])")
        }
    }

    /// With `P = 8` the leave-one-out control variate keeps the estimate unbiased (every mean
    /// within 4 measured standard errors of `A_jj`) and cuts its spread: the measured per-round
    /// standard deviation is under half of the plain estimator's predicted one over `sqrt(P)`
    /// (the theory predicts about `sqrt(d / 2) = 4` times smaller at `d = 32`).
    @Test("P = 8 with the control variate: unbiased, and at least twice as precise as the plain estimate")
    func unbiasedControlVariate() throws {
        let backend = OptimTestFixtures.swift
        let problem = OptimTestFixtures.quadratic(32, backend: backend)
        let h = Self.fixedHessian(problem)
        let rounds = 4000
        let (mean, sd) = try Self.steinSamples(problem: problem, hessian: h, perturbations: 8, rounds: rounds, backend: backend)
        let plain = Self.predictedPlainSD(problem: problem, hessian: h)
        Self.expectUnbiased(problem: problem, mean: mean, sd: sd, rounds: rounds, power: 0.1)
        for j in 0..<problem.dimension {
            #expect(sd[j] < 0.5 * plain[j] / 8.0.squareRoot(), "coordinate \(j): SD \(sd[j]), plain \(plain[j] / 8.0.squareRoot())")
        }
    }

    /// A record whose steps carry the given second differences.
    static func record(_ round: UInt64, curvature: [[Float]]) -> RoundRecord {
        RoundRecord(round: round, steps: curvature.enumerated().map { k, c in
            StepScalars(
                seed: StepSeed.derive(runSeed: 5, round: round, step: k), learningRate: 0.1,
                aggregated: [Float](repeating: 0.5, count: c.count), curvature: c)
        })
    }

    /// The update's bits depend neither on the backend nor on the thread count (d large enough
    /// for the parallel split), so every party rebuilds the same `E`, `H` and `s`.
    @Test("backends and thread counts give the same E, H and s bit for bit")
    func backendInvariance() throws {
        let d = 3 * ParallelRange.minimumPerThread + 101
        var states: [CurvaturePreconditioner] = []
        for kind in Kernels.compiledBackends {
            for threads in [1, 3] {
                let backend = try Kernels.backend(kind, threads: threads)
                var pre = try CurvaturePreconditioner(dimension: d, beta: 0.5)
                for round in UInt64(0)..<3 {
                    try pre.update(after: Self.record(round, curvature: [[30, 10, -4], [22, 5, 8]]), backend: backend)
                }
                states.append(pre)
            }
        }
        #expect(states.allSatisfy { $0 == states[0] })
        #expect(states[0].diagonal.contains { $0 != 1 })
    }

    /// `H` moves at most by `rho` per round, has the shape of `max(E, phi m) / m`, and `s = 1/sqrt(H)`.
    @Test("clipping and floor: H stays within [H/rho, rho H] of the last round and tends to max(E, phi m) / m")
    func clippingAndFloor() throws {
        let backend = OptimTestFixtures.swift
        var pre = try CurvaturePreconditioner(dimension: 64, beta: 0.5, floorFraction: 0.2, clipRatio: 2)
        for round in 0..<40 {
            let before = pre.diagonal
            let scale: Float = round % 2 == 0 ? 1e4 : -3e3
            try pre.update(after: Self.record(UInt64(round), curvature: [[scale, -scale, 0.5 * scale, 2]]), backend: backend)
            for j in 0..<64 {
                let h = pre.diagonal[j]
                #expect(h >= before[j] / 2 && h <= 2 * before[j] && h > 0)
                #expect(pre.inverseSquareRoot[j] == 1 / h.squareRoot())
            }
        }
        // With a constant record, E converges to its value and H (unclipped by then) to E's
        // floored shape at unit mean.
        for _ in 40..<400 {
            try pre.update(after: Self.record(7, curvature: [[30, 10, -4], [22, 5, 8]]), backend: backend)
        }
        var positive = 0.0
        for e in pre.estimate where e > 0 { positive += Double(e) }
        let m = Float(positive / 64)
        for j in 0..<64 {
            let target = max(pre.estimate[j], 0.2 * m) / m
            #expect(abs(pre.diagonal[j] - target) <= 1e-4 * target)
            #expect(pre.diagonal[j] >= 0.2 * (1 - 1e-4))
        }
    }

    @Test("a record without P second differences per step is rejected, the state unchanged")
    func malformed() throws {
        var pre = try CurvaturePreconditioner(dimension: 4)
        let before = pre
        var bad = Self.record(0, curvature: [[1, 2]])
        bad.steps[0].curvature = nil
        #expect(throws: OptimError.self) { try pre.update(after: bad, backend: OptimTestFixtures.swift) }
        bad.steps[0].curvature = [1]
        #expect(throws: OptimError.self) { try pre.update(after: bad, backend: OptimTestFixtures.swift) }
        #expect(throws: OptimError.self) { try bad.validate(perturbations: 2) }
        #expect(pre == before)
        #expect(throws: OptimError.self) { try CurvaturePreconditioner(dimension: 4, clipRatio: 0.5) }
        #expect(throws: OptimError.self) { try CurvaturePreconditioner(dimension: 4, floorFraction: 0) }
        #expect(throws: OptimError.self) { try ZOEstimator(perturbations: 2, mu: 1e-3, scheme: .forward, curvature: true) }
    }

    /// The centralised optimizer runs the same loop: its steps' records carry the second
    /// differences, and it refuses a preconditioner/estimator pair that disagrees about them.
    @Test("ZOOptimizer runs hiso-curv through the round loop and rejects mismatched estimators")
    func optimizer() throws {
        let backend = OptimTestFixtures.swift
        let problem = OptimTestFixtures.quadratic(40, backend: backend)
        let curv = try ZOEstimator(perturbations: 4, mu: 1e-3, scheme: .central, curvature: true)
        #expect(curv.lossEvaluations == 9 && curv.scalarsPerStep == 8)
        #expect(throws: OptimError.self) {
            try ZOOptimizer(
                dimension: 40, estimator: try ZOEstimator(perturbations: 4, mu: 1e-3, scheme: .central), schedule: .constant(0.01),
                runSeed: 1, preconditioner: try CurvaturePreconditioner(dimension: 40), backend: backend)
        }
        var optimizer = try ZOOptimizer(
            dimension: 40, estimator: curv, schedule: .constant(0.02), runSeed: 1,
            preconditioner: try CurvaturePreconditioner(dimension: 40), backend: backend)
        var x = [Float](repeating: 0, count: 40)
        let f0 = problem.loss(x, backend: backend)
        for _ in 0..<300 {
            let report = try optimizer.step(&x, batch: ()) { p, _ in problem.loss(p, scratch: .init(start: nil, count: 0), backend: backend) }
            #expect(report.record.steps[0].curvature?.count == 4)
        }
        #expect(problem.loss(x, backend: backend) < 0.5 * f0)
        #expect(optimizer.preconditioner.hessian?.contains { $0 != 1 } == true)
    }
}
