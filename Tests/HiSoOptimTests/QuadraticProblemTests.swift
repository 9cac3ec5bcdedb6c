import HiSoKernels
import HiSoTestSupport
import Testing

@testable import HiSoOptim

@Suite("QuadraticProblem")
struct QuadraticProblemTests {
    @Test("spectra: flat, log-normal, power law, spiked low-rank, all scaled to max 1")
    func spectra() throws {
        let backend = OptimTestFixtures.swift
        let d = 400
        let flat = OptimTestFixtures.quadratic(d, spectrum: .flat, backend: backend)
        #expect(flat.eigenvalues == [Float](repeating: 1, count: d))
        let logNormal = OptimTestFixtures.quadratic(d, spectrum: .logNormal(sigma: 1.5), backend: backend)
        #expect(logNormal.eigenvalues.max() == 1)
        let logs = logNormal.eigenvalues.map { Double.log(Double($0)) }
        let mean = logs.reduce(0, +) / Double(d)
        let sd = (logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d - 1)).squareRoot()
        #expect(abs(sd - 1.5) < 0.15, "log-normal sd \(sd)")
        let power = OptimTestFixtures.quadratic(d, spectrum: .powerLaw(exponent: 2), backend: backend)
        #expect(power.eigenvalues[0] == 1)
        #expect(relativeDifference(power.eigenvalues[9], 0.01) < 1e-6)
        let spiked = OptimTestFixtures.quadratic(d, spectrum: .spikedLowRank(rank: 5, spike: 100), backend: backend)
        #expect(spiked.eigenvalues.filter { $0 == 1 }.count == 5)
        #expect(spiked.eigenvalues.filter { $0 == 0.01 }.count == d - 5)
        #expect(throws: OptimError.self) {
            try QuadraticProblem(.init(dimension: 10, spectrum: .spikedLowRank(rank: 11, spike: 2), seed: 0), backend: backend)
        }
        #expect(throws: OptimError.self) {
            try QuadraticProblem(.init(dimension: 10, spectrum: .logNormal(sigma: -1), seed: 0), backend: backend)
        }
        #expect(throws: OptimError.self) { try QuadraticProblem(.init(dimension: 0, spectrum: .flat, seed: 0), backend: backend) }
    }

    @Test("Q is orthonormal and diag(A) = sum_j Q_ij^2 λ_j", arguments: [BackendKind.swift, .openblas])
    func rotation(kind: BackendKind) throws {
        guard Kernels.compiledBackends.contains(kind) else { return }
        let backend = try Kernels.backend(kind, threads: 1)
        let d = 30
        let problem = OptimTestFixtures.quadratic(d, basis: .rotated, backend: backend)
        let q = try #require(problem.rotation)
        for i in 0..<d {
            for j in 0..<d {
                var dot = 0.0
                for k in 0..<d { dot += Double(q[k * d + i]) * Double(q[k * d + j]) }
                #expect(abs(dot - (i == j ? 1 : 0)) < 1e-5, "QᵀQ[\(i),\(j)] = \(dot)")
            }
        }
        for i in 0..<d {
            var aii = 0.0
            for j in 0..<d { aii += Double(q[i * d + j]) * Double(problem.eigenvalues[j]) * Double(q[i * d + j]) }
            #expect(abs(aii - Double(problem.curvatureDiagonal[i])) < 1e-5)
        }
        #expect(problem.loss(problem.optimum, backend: backend) < 1e-9)
    }

    @Test("exact gradient agrees with central finite differences (diagonal, rotated, with noise)",
          arguments: QuadraticProblem.Basis.allCases)
    func gradient(basis: QuadraticProblem.Basis) throws {
        let backend = OptimTestFixtures.swift
        let d = 20
        let problem = OptimTestFixtures.quadratic(d, basis: basis, backend: backend)
        let x = OptimTestFixtures.normals(d, seed: 2, stream: 4, backend: backend)
        for noise in [nil, QuadraticNoise(seed: 9, scale: 0.5)] {
            var g = [Float](repeating: 0, count: d)
            var scratch = [Float](repeating: 0, count: problem.scratchCount)
            x.withUnsafeBufferPointer { xb in
                g.withUnsafeMutableBufferPointer { gb in
                    scratch.withUnsafeMutableBufferPointer { problem.gradient(xb, into: gb, noise: noise, scratch: $0, backend: backend) }
                }
            }
            let h: Float = 1e-2
            for i in 0..<d {
                var plus = x, minus = x
                plus[i] += h
                minus[i] -= h
                let fd = (problem.loss(plus, noise: noise, backend: backend) - problem.loss(minus, noise: noise, backend: backend)) / (2 * h)
                #expect(abs(fd - g[i]) < 2e-3 * max(1, abs(g[i])), "\(basis) i=\(i): \(fd) vs \(g[i])")
            }
        }
    }

    @Test("the rotated loss equals 1/2 eᵀ A e with A formed explicitly")
    func rotatedLoss() throws {
        let backend = OptimTestFixtures.swift
        let d = 12
        let problem = OptimTestFixtures.quadratic(d, spectrum: .powerLaw(exponent: 1), basis: .rotated, backend: backend)
        let q = problem.rotation!
        let x = OptimTestFixtures.normals(d, seed: 8, stream: 1, backend: backend)
        var expected = 0.0
        for i in 0..<d {
            for j in 0..<d {
                var aij = 0.0
                for k in 0..<d { aij += Double(q[i * d + k]) * Double(problem.eigenvalues[k]) * Double(q[j * d + k]) }
                expected += Double(x[i] - problem.optimum[i]) * aij * Double(x[j] - problem.optimum[j])
            }
        }
        #expect(relativeDifference(problem.loss(x, backend: backend), Float(expected / 2)) < 1e-5)
    }

    @Test("ζ and the curvature correlation")
    func curvature() throws {
        let backend = OptimTestFixtures.swift
        let d = 50
        let problem = OptimTestFixtures.quadratic(d, backend: backend)
        let trace = problem.curvatureDiagonal.reduce(0.0) { $0 + Double($1) }
        #expect(abs(problem.zeta(scale: nil) - trace) < 1e-9)
        let oracle = try OracleDiagonalPreconditioner(diagonal: problem.curvatureDiagonal)
        #expect(abs(problem.zeta(scale: oracle.scale) - Double(d)) < 1e-3)
        #expect(abs(problem.curvatureCorrelation(problem.curvatureDiagonal) - 1) < 1e-9)
        #expect(abs(problem.curvatureCorrelation(problem.curvatureDiagonal.map { 3 * $0 + 1 }, logScale: false) - 1) < 1e-9)
        #expect(problem.curvatureCorrelation([Float](repeating: 2, count: d)) == 0)
        #expect(problem.curvatureCorrelation(problem.curvatureDiagonal.map { 1 / $0 }, logScale: true) < -0.999)
    }
}
