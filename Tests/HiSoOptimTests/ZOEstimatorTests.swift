import Foundation
import HiSoKernels
import HiSoModels
import HiSoTestSupport
import Testing

@testable import HiSoOptim

@Suite("ZOEstimator")
struct ZOEstimatorTests {
    /// Runs one estimate (the fused out-of-place estimate every trainer runs) on a quadratic and
    /// returns (scalars, returned loss).
    static func estimate(
        _ problem: QuadraticProblem, x: [Float], scale: [Float]?, estimator: ZOEstimator, seed: UInt64,
        backend: any KernelBackend
    ) -> (g: [Float], value: Float) {
        let step = FusedZOStep(backend: backend, dimension: x.count)
        var g = [Float](repeating: 0, count: estimator.perturbations)
        var scratch = [Float](repeating: 0, count: problem.scratchCount)
        let value = x.withUnsafeBufferPointer { xb in
            g.withUnsafeMutableBufferPointer { gb in
                scratch.withUnsafeMutableBufferPointer { sb in
                    func run(_ s: UnsafeBufferPointer<Float>?) -> Float {
                        step.estimate(
                            at: xb, scale: s, seed: seed, mu: estimator.mu, scheme: estimator.scheme, scalars: gb,
                            loss: { problem.loss($0, scratch: sb, backend: backend) })
                    }
                    if let scale { return scale.withUnsafeBufferPointer { run($0) } }
                    return run(nil)
                }
            }
        }
        return (g, value)
    }

    @Test("x is bit-exact after forward and central estimates", arguments: DifferenceScheme.allCases)
    func xUnchanged(scheme: DifferenceScheme) throws {
        for backend in OptimTestFixtures.backends {
            let problem = OptimTestFixtures.quadratic(64, backend: backend)
            let x = OptimTestFixtures.normals(64, seed: 3, stream: 9, backend: backend)
            let scale = (0..<64).map { Float(0.5) + Float($0) / 64 }
            let before = x.map(\.bitPattern)
            let estimator = try ZOEstimator(perturbations: 4, mu: 1e-2, scheme: scheme)
            _ = Self.estimate(problem, x: x, scale: scale, estimator: estimator, seed: 11, backend: backend)
            #expect(x.map(\.bitPattern) == before)
        }
    }

    @Test("scalars match a direct evaluation of the finite differences")
    func matchesReference() throws {
        let backend = OptimTestFixtures.swift
        let d = 32
        let problem = OptimTestFixtures.quadratic(d, backend: backend)
        let x = OptimTestFixtures.normals(d, seed: 5, stream: 3, backend: backend)
        let scale = (0..<d).map { Float(1) + Float($0 % 5) / 4 }
        let mu: Float = 1e-2
        for scheme in DifferenceScheme.allCases {
            let estimator = try ZOEstimator(perturbations: 3, mu: mu, scheme: scheme)
            let (g, _) = Self.estimate(problem, x: x, scale: scale, estimator: estimator, seed: 99, backend: backend)
            for p in 0..<3 {
                let z = OptimTestFixtures.normals(d, seed: 99, stream: UInt64(p), backend: backend)
                let plus = (0..<d).map { x[$0] + mu * scale[$0] * z[$0] }
                let minus = (0..<d).map { x[$0] - mu * scale[$0] * z[$0] }
                let expected: Float
                switch scheme {
                case .forward: expected = (problem.loss(plus, backend: backend) - problem.loss(x, backend: backend)) / mu
                case .central: expected = (problem.loss(plus, backend: backend) - problem.loss(minus, backend: backend)) / (2 * mu)
                }
                #expect(relativeDifference(g[p], expected) < 1e-3, "\(scheme) p=\(p): \(g[p]) vs \(expected)")
            }
        }
    }

    @Test("forward minus central is the curvature term mu/2 uᵀAu; central is the directional derivative")
    func forwardVersusCentral() throws {
        let backend = OptimTestFixtures.swift
        let d = 16
        let problem = OptimTestFixtures.quadratic(d, spectrum: .powerLaw(exponent: 1), backend: backend)
        let x = [Float](repeating: 0, count: d)
        let mu: Float = 0.05
        let forward = Self.estimate(
            problem, x: x, scale: nil, estimator: try ZOEstimator(perturbations: 4, mu: mu, scheme: .forward), seed: 8,
            backend: backend)
        let central = Self.estimate(
            problem, x: x, scale: nil, estimator: try ZOEstimator(perturbations: 4, mu: mu, scheme: .central), seed: 8,
            backend: backend)
        #expect(relativeDifference(forward.value, problem.loss(x, backend: backend)) == 0)
        var gradient = [Float](repeating: 0, count: d)
        x.withUnsafeBufferPointer { xb in
            gradient.withUnsafeMutableBufferPointer { problem.gradient(xb, into: $0, scratch: .init(start: nil, count: 0), backend: backend) }
        }
        for p in 0..<4 {
            let z = OptimTestFixtures.normals(d, seed: 8, stream: UInt64(p), backend: backend)
            let directional = zip(z, gradient).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let curvature = (0..<d).reduce(Float(0)) { $0 + problem.eigenvalues[$1] * z[$1] * z[$1] }
            #expect(abs(central.g[p] - directional) < 2e-3 * max(1, abs(directional)))
            #expect(abs((forward.g[p] - central.g[p]) - mu / 2 * curvature) < 2e-3 * max(1, curvature))
        }
    }

    /// The mean cosine between `(1/P) sum_p g_p z_p` and the exact gradient over `trials` seeds.
    static func meanCosine(
        perturbations: Int, trials: Int, d: Int, exact: [Float], backend: any KernelBackend,
        loss: (UnsafeBufferPointer<Float>) -> Float, at x: [Float]
    ) throws -> Double {
        let estimator = try ZOEstimator(perturbations: perturbations, mu: 1e-3, scheme: .central)
        let step = FusedZOStep(backend: backend, dimension: d)
        var g = [Float](repeating: 0, count: perturbations)
        var total = 0.0
        for trial in 0..<trials {
            let seed = StepSeed.derive(runSeed: 17, round: UInt64(trial), step: 0)
            x.withUnsafeBufferPointer { xb in
                g.withUnsafeMutableBufferPointer { gb in
                    _ = step.estimate(
                        at: xb, scale: nil, seed: seed, mu: estimator.mu, scheme: estimator.scheme, scalars: gb, loss: loss)
                }
            }
            var direction = [Float](repeating: 0, count: d)
            direction.withUnsafeMutableBufferPointer { db in
                g.withUnsafeBufferPointer { gb in
                    ZOUpdate.apply(to: db, scalars: gb, scale: nil, seed: seed, learningRate: -1, backend: backend)
                }
            }
            total += OptimTestFixtures.cosine(direction, exact)
        }
        return total / Double(trials)
    }

    @Test("the estimate converges to the true gradient of a quadratic: cosine grows with P")
    func convergesOnQuadratic() throws {
        let backend = OptimTestFixtures.swift
        let d = 40
        let problem = OptimTestFixtures.quadratic(d, backend: backend)
        let x = [Float](repeating: 0, count: d)
        var exact = [Float](repeating: 0, count: d)
        x.withUnsafeBufferPointer { xb in
            exact.withUnsafeMutableBufferPointer { problem.gradient(xb, into: $0, scratch: .init(start: nil, count: 0), backend: backend) }
        }
        let cosines = try [1, 8, 64, 512].map { p in
            try Self.meanCosine(
                perturbations: p, trials: 6, d: d, exact: exact, backend: backend,
                loss: { problem.loss($0, scratch: .init(start: nil, count: 0), backend: backend) }, at: x)
        }
        #expect(cosines[0] < cosines[1] && cosines[1] < cosines[2] && cosines[2] < cosines[3], "\(cosines)")
        #expect(cosines[3] > 0.9, "\(cosines)")
    }

    @Test("the estimate converges to the backpropagated gradient of a small MLP")
    func convergesOnMLP() throws {
        let backend = OptimTestFixtures.swift
        let network = try Network.mlp(widths: [6, 5, 3])
        let d = network.parameterCount
        let batch = 12
        let inputs = OptimTestFixtures.normals(batch * 6, seed: 4, stream: 0, backend: backend)
        let labels: [Int32] = (0..<batch).map { Int32($0 % 3) }
        let workspace = try network.makeWorkspace(batchSize: batch)
        let x = network.initialParameters(seed: 2)
        var exact = [Float](repeating: 0, count: d)
        _ = try x.withUnsafeBufferPointer { xb in
            try inputs.withUnsafeBufferPointer { ib in
                try labels.withUnsafeBufferPointer { lb in
                    try exact.withUnsafeMutableBufferPointer { gb in
                        try network.lossAndGradient(
                            parameters: xb, inputs: ib, labels: lb, count: batch, gradient: gb, workspace: workspace,
                            backend: backend)
                    }
                }
            }
        }
        let loss: (UnsafeBufferPointer<Float>) -> Float = { p in
            inputs.withUnsafeBufferPointer { ib in
                labels.withUnsafeBufferPointer { lb in
                    try! network.loss(parameters: p, inputs: ib, labels: lb, count: batch, workspace: workspace, backend: backend)
                }
            }
        }
        let cosines = try [2, 32, 512].map { p in
            try Self.meanCosine(perturbations: p, trials: 4, d: d, exact: exact, backend: backend, loss: loss, at: x)
        }
        #expect(cosines[0] < cosines[1] && cosines[1] < cosines[2], "\(cosines)")
        #expect(cosines[2] > 0.75, "\(cosines)")
    }

    @Test("invalid P or mu throws")
    func validation() {
        #expect(throws: OptimError.self) { try ZOEstimator(perturbations: 0, mu: 1e-3) }
        #expect(throws: OptimError.self) { try ZOEstimator(perturbations: 1, mu: 0) }
        #expect(throws: OptimError.self) { try ZOEstimator(perturbations: 1, mu: .nan) }
        #expect(DifferenceScheme.central.lossEvaluations(perturbations: 5) == 10)
        #expect(DifferenceScheme.forward.lossEvaluations(perturbations: 5) == 6)
    }

    @Test("decoding validates the estimator")
    func decoding() throws {
        let good = try ZOEstimator(perturbations: 5, mu: 1e-3, scheme: .central)
        #expect(try JSONDecoder().decode(ZOEstimator.self, from: JSONEncoder().encode(good)) == good)
        let bad = Data(#"{"perturbations":0,"mu":0.001,"scheme":"forward"}"#.utf8)
        #expect(throws: OptimError.self) { try JSONDecoder().decode(ZOEstimator.self, from: bad) }
    }
}
