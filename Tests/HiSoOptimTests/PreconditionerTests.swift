import Foundation
import HiSoKernels
import HiSoTestSupport
import Testing

@testable import HiSoOptim

@Suite("Preconditioners")
struct PreconditionerTests {
    static let d = 24
    static let perturbations = 3

    /// A three-step record with per-client scalars (2 clients) on every step.
    static func record() -> RoundRecord {
        let steps = (0..<3).map { k -> StepScalars in
            let rows: [[Float]] = (0..<2).map { c in (0..<perturbations).map { p in Float(k + 1) * (Float(p) - 0.7) + Float(c) * 0.3 } }
            let mean = (0..<perturbations).map { p in (rows[0][p] + rows[1][p]) / 2 }
            return StepScalars(seed: StepSeed.derive(runSeed: 5, round: 9, step: k), learningRate: 0.1, aggregated: mean, perClient: rows)
        }
        return RoundRecord(round: 9, steps: steps)
    }

    /// A non-trivial starting H (so s is not 1).
    static var startH: [Float] { (0..<d).map { 0.25 + Float($0) / Float(d) } }

    /// `d_i = s_i * sum_p c_p z_p[i]` in plain scalar Swift.
    static func direction(_ c: [Float], seed: UInt64, s: [Float], backend: any KernelBackend) -> [Float] {
        var acc = [Float](repeating: 0, count: d)
        for (p, cp) in c.enumerated() {
            let z = OptimTestFixtures.normals(d, seed: seed, stream: UInt64(p), backend: backend)
            for i in 0..<d { acc[i] = acc[i] + cp * z[i] }
        }
        return (0..<d).map { s[$0] * acc[$0] }
    }

    static func scaleReference(_ h: [Float], floor: Float) -> [Float] { h.map { 1 / max($0, floor).squareRoot() } }

    @Test("peer rule matches a scalar reference for last, first and all", arguments: HiSoPreconditioner.StepChoice.allCases)
    func peerRule(choice: HiSoPreconditioner.StepChoice) throws {
        for backend in OptimTestFixtures.backends {
            let beta: Float = 0.9
            let floor: Float = 0.3
            var pre = try HiSoPreconditioner(hessian: Self.startH, rule: .peer(step: choice, beta: beta), floor: floor, backend: backend)
            let record = Self.record()
            try pre.update(after: record, backend: backend)

            var h = Self.startH
            let s = Self.scaleReference(h, floor: floor)
            let chosen: [StepScalars]
            switch choice {
            case .last: chosen = [record.steps[2]]
            case .first: chosen = [record.steps[0]]
            case .all: chosen = record.steps
            }
            for step in chosen {
                let c = step.aggregated.map { $0 / Float(Self.perturbations) }
                let delta = Self.direction(c, seed: step.seed, s: s, backend: backend)
                for i in 0..<Self.d { h[i] = beta * h[i] + (1 - beta) * delta[i] * delta[i] }
            }
            #expect(maxRelativeDifference(pre.diagonal, h) < 1e-5, "\(choice) on \(backend.kind)")
            #expect(maxRelativeDifference(pre.inverseSquareRoot, Self.scaleReference(h, floor: floor)) < 1e-5)
        }
    }

    @Test("paper rule matches a scalar reference on the per-client scalars of step 0")
    func paperRule() throws {
        for backend in OptimTestFixtures.backends {
            let nu: Float = 0.2, epsilon: Float = 1e-3
            var pre = try HiSoPreconditioner(hessian: Self.startH, rule: .paper(nu: nu, epsilon: epsilon), backend: backend)
            #expect(pre.needsPerClientScalars)
            let record = Self.record()
            try pre.update(after: record, backend: backend)

            let s = Self.scaleReference(Self.startH, floor: 0)
            let step = record.steps[0]
            var mean = [Float](repeating: 0, count: Self.d)
            for row in step.perClient! {
                let delta = Self.direction(row.map { $0 / Float(Self.perturbations) }, seed: step.seed, s: s, backend: backend)
                for i in 0..<Self.d { mean[i] += delta[i] * delta[i] + epsilon }
            }
            let h = (0..<Self.d).map { (1 - nu) * Self.startH[$0] + nu * (mean[$0] / 2) }
            #expect(maxRelativeDifference(pre.diagonal, h) < 1e-5, "\(backend.kind)")
            #expect(maxRelativeDifference(pre.inverseSquareRoot, Self.scaleReference(h, floor: 0)) < 1e-5)
        }
    }

    @Test("the paper rule rejects a record without per-client scalars; empty records are rejected")
    func malformed() throws {
        let backend = OptimTestFixtures.swift
        var paper = try HiSoPreconditioner(dimension: Self.d, rule: .paper(nu: 0.1, epsilon: 0))
        var record = Self.record()
        record.steps[0].perClient = nil
        #expect(throws: OptimError.self) { try paper.update(after: record, backend: backend) }
        record.steps[0].perClient = [[1, 2, 3], [1, 2]]
        #expect(throws: OptimError.self) { try paper.update(after: record, backend: backend) }
        var peer = try HiSoPreconditioner(dimension: Self.d)
        #expect(throws: OptimError.self) { try peer.update(after: RoundRecord(round: 1, steps: []), backend: backend) }
        #expect(throws: OptimError.self) { try Self.record().validate(perturbations: 4) }
        try Self.record().validate(perturbations: Self.perturbations)
    }

    @Test("invalid hyperparameters throw")
    func validation() {
        #expect(throws: OptimError.self) { try HiSoPreconditioner(dimension: 0) }
        #expect(throws: OptimError.self) { try HiSoPreconditioner(dimension: 3, rule: .peer(step: .last, beta: 1.5)) }
        #expect(throws: OptimError.self) { try HiSoPreconditioner(dimension: 3, rule: .paper(nu: 0, epsilon: 0)) }
        #expect(throws: OptimError.self) { try HiSoPreconditioner(dimension: 3, rule: .paper(nu: 0.1, epsilon: -1)) }
        #expect(throws: OptimError.self) { try HiSoPreconditioner(dimension: 3, floor: .infinity) }
        #expect(throws: OptimError.self) { try OracleDiagonalPreconditioner(diagonal: [1, 0, 2]) }
        #expect(throws: OptimError.self) { try OracleDiagonalPreconditioner(diagonal: []) }
    }

    @Test("identity and oracle scales; HiSo starts at exactly H = 1, s = 1")
    func scales() throws {
        #expect(IdentityPreconditioner().scale == nil)
        #expect(IdentityPreconditioner().hessian == nil)
        let oracle = try OracleDiagonalPreconditioner(diagonal: [4, 0.25, 1])
        #expect(oracle.scale == [0.5, 2, 1])
        let hiso = try HiSoPreconditioner(dimension: 5)
        #expect(hiso.scale == [Float](repeating: 1, count: 5))
        #expect(hiso.hessian == [Float](repeating: 1, count: 5))
        #expect(!hiso.needsPerClientScalars)
    }

    @Test("round records and preconditioners survive a JSON round trip")
    func codable() throws {
        let record = Self.record()
        let decoded = try JSONDecoder().decode(RoundRecord.self, from: JSONEncoder().encode(record))
        #expect(decoded == record)
        var pre = try HiSoPreconditioner(dimension: Self.d, rule: .paper(nu: 0.3, epsilon: 1e-4), floor: 1e-3)
        try pre.update(after: record, backend: OptimTestFixtures.swift)
        let copy = try JSONDecoder().decode(HiSoPreconditioner.self, from: JSONEncoder().encode(pre))
        #expect(copy == pre)
        let oracle = try OracleDiagonalPreconditioner(diagonal: [2, 3])
        #expect(try JSONDecoder().decode(OracleDiagonalPreconditioner.self, from: JSONEncoder().encode(oracle)) == oracle)
        let ragged = Data(#"{"rule":{"peer":{"step":"last","beta":0.9}},"floor":0,"diagonal":[1,1],"inverseSquareRoot":[1]}"#.utf8)
        #expect(throws: OptimError.self) { try JSONDecoder().decode(HiSoPreconditioner.self, from: ragged) }
    }
}
