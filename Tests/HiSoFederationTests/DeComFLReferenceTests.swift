import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoOptim
import Testing

@Suite("DeComFL equivalence")
struct DeComFLReferenceTests {
    /// DeComFL written out from docs/ALGORITHM.md with raw kernels only: forward differences at the
    /// round-start model, mean over the sampled clients, `x <- x - lr (1/P) sum_p gbar_p z_p`.
    static func referenceDeComFL(_ c: RunConfiguration, task: QuadraticTask) throws -> [Float] {
        let backend = try Kernels.backend(c.backend)
        let d = task.parameterCount
        var x = [Float](repeating: 0, count: d)
        x.withUnsafeMutableBufferPointer { task.initialParameters(seed: c.seed, into: $0) }
        var work = [Float](repeating: 0, count: d)
        let p = c.perturbations
        for r in 0..<UInt64(c.rounds) {
            let seed = StepSeed.derive(runSeed: c.seed, round: r, step: 0)
            let sampled = ClientSampler.sample(seed: c.seed, round: r, clients: c.clients, sampled: c.sampledClients)
            var sums = [Float](repeating: 0, count: p)
            for (n, i) in sampled.enumerated() {
                let key = BatchKey(seed: c.seed, client: i, round: r, step: 0)
                let base = try x.withUnsafeBufferPointer { try task.loss(at: $0, batch: key) }
                for k in 0..<p {
                    let g = try x.withUnsafeBufferPointer { xb in
                        try work.withUnsafeMutableBufferPointer { wb in
                            backend.perturbed(xb, into: wb, alpha: c.mu, scale: nil, seed: seed, stream: UInt64(k), offset: 0)
                            return (try task.loss(at: UnsafeBufferPointer(wb), batch: key) - base) / c.mu
                        }
                    }
                    sums[k] = n == 0 ? g : sums[k] + g
                }
            }
            let coefficients = sums.map { -(c.learningRate * ($0 / Float(sampled.count))) / Float(p) }
            x.withUnsafeMutableBufferPointer { xb in
                coefficients.withUnsafeBufferPointer { backend.accumulate(xb, coefficients: $0, scale: nil, seed: seed, offset: 0) }
            }
        }
        return x
    }

    @Test("the identity preconditioner run equals DeComFL from the spec, bit for bit", arguments: Kernels.compiledBackends)
    func identityIsDeComFL(backend: BackendKind) throws {
        var c = Fixtures.configuration(method: .decomfl, rounds: 60)
        c.backend = backend
        let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic(backend: backend))
        try run.run()
        let reference = try Self.referenceDeComFL(c, task: try Fixtures.quadratic(backend: backend))
        #expect(Fixtures.bitwiseEqual(run.parameters, reference))
    }

    @Test("HiSo with H held at 1 (beta = 1) equals DeComFL bit for bit")
    func frozenHiSoIsDeComFL() throws {
        var c = Fixtures.configuration(method: .decomfl, localSteps: 2, rounds: 50)
        let decomfl = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        try decomfl.run()
        c.method = .hiso
        c.beta = 1
        let hiso = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        try hiso.run()
        #expect(Fixtures.bitwiseEqual(decomfl.parameters, hiso.parameters))
        #expect(hiso.hessian?.allSatisfy { $0 == 1 } == true)
    }

    @Test("centralised MeZO is DeComFL with one always-participating client")
    func mezo() throws {
        var c = Fixtures.configuration(method: .mezo, clients: 1, sampled: 1, rounds: 30)
        let mezo = try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 1))
        try mezo.run()
        c.method = .decomfl
        let decomfl = try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 1))
        try decomfl.run()
        #expect(Fixtures.bitwiseEqual(mezo.parameters, decomfl.parameters))
        #expect(mezo.ledger.entries.count == 30 && mezo.ledger.entries.allSatisfy { $0.client == 0 })
    }
}
