import HiSoFederation
import HiSoKernels
import HiSoOptim
import Testing

@Suite("Server/client synchronisation")
struct SyncTests {
    static let cases: [(BackendKind, Int, HessianRule)] = Kernels.compiledBackends.flatMap { backend in
        [1, 3].flatMap { tau in HessianRule.allCases.map { (backend, tau, $0) } }
    }

    /// Hundreds of sampled rounds in exact mode: every client's own replayed model drives its
    /// uploads, and at the end every client, caught up from the log, equals the server bit for bit.
    @Test("clients stay bitwise in sync after 200 rounds", arguments: cases)
    func bitwiseSync(backend: BackendKind, tau: Int, rule: HessianRule) throws {
        var c = Fixtures.configuration(method: .hiso, clients: 6, sampled: 2, localSteps: tau, rounds: 200, learningRate: 0.02)
        c.hessianRule = rule
        if rule == .curvature { c.scheme = .central }
        c.syncMode = .exact
        c.backend = backend
        c.evaluateEvery = 100
        let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 6, backend: backend))
        let exactCurve = try run.run()
        let server = try #require(run.server)
        #expect(server.round == 200)
        for client in run.clients {
            try client.catchUp(with: server.catchUpRecords(from: client.syncRound))
            #expect(client.syncRound == server.round)
            #expect(Fixtures.bitwiseEqual(client.parameters, server.parameters))
            #expect(Fixtures.bitwiseEqual(client.preconditioner.hessian ?? [], server.preconditioner.hessian ?? []))
        }
        // H moved away from 1 (the rule is active), and the fast simulation gives the same curve.
        #expect(server.preconditioner.hessian?.contains { $0 != 1 } == true)
        c.syncMode = .fast
        let fast = try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 6, backend: backend))
        #expect(Fixtures.sameMetrics(exactCurve, try fast.run()))
        #expect(Fixtures.bitwiseEqual(fast.parameters, server.parameters))
    }

    /// Catch-up after arbitrary gaps: a hand-driven server, one client that is sampled at
    /// irregular rounds and must equal the server after each catch-up.
    @Test("catch-up after arbitrary gaps reproduces x and H")
    func arbitraryGaps() throws {
        let backend = try Kernels.backend()
        let task = try Fixtures.quadratic(clients: 2)
        let d = task.parameterCount
        var x0 = [Float](repeating: 0, count: d)
        x0.withUnsafeMutableBufferPointer { task.initialParameters(seed: 0, into: $0) }
        let estimator = try ZOEstimator(perturbations: 5, mu: 1e-3)
        let h = try HiSoPreconditioner(dimension: d)
        let server = Server(
            parameters: x0, preconditioner: h, runSeed: 3, perturbations: 5, localSteps: 2,
            aggregator: Aggregator(kind: .mean), backend: backend)
        let worker = Client(id: 0, parameters: x0, preconditioner: h, estimator: estimator, localSteps: 2, backend: backend)
        let stale = Client(id: 1, parameters: x0, preconditioner: h, estimator: estimator, localSteps: 2, backend: backend)
        let participation: Set<UInt64> = [0, 1, 5, 6, 17, 40, 41, 77]
        for round in UInt64(0)..<80 {
            try worker.catchUp(with: server.catchUpRecords(from: worker.syncRound))
            var uploads = [try worker.upload(runSeed: 3, learningRate: 0.05) { x, step in
                try task.loss(at: x, batch: BatchKey(seed: 3, client: 0, round: round, step: step))
            }]
            if participation.contains(round) {
                try stale.catchUp(with: server.catchUpRecords(from: stale.syncRound))
                #expect(Fixtures.bitwiseEqual(stale.parameters, server.parameters))
                #expect(Fixtures.bitwiseEqual(stale.preconditioner.hessian ?? [], server.preconditioner.hessian ?? []))
                uploads.append(try stale.upload(runSeed: 3, learningRate: 0.05) { x, step in
                    try task.loss(at: x, batch: BatchKey(seed: 3, client: 1, round: round, step: step))
                })
            }
            try server.finishRound(uploads: uploads, learningRate: 0.05)
            server.pruneLog(below: min(worker.syncRound, stale.syncRound))
        }
        #expect(server.log.firstRound == 77)
        #expect(throws: FederationError.self) { try server.catchUpRecords(from: 76) }
        var foreign = try #require(server.catchUpRecords(from: stale.syncRound).first)
        foreign.steps[0].aggregated.append(0)
        let before = stale.parameters
        #expect(throws: FederationError.dimensionMismatch(
            what: "aggregated scalars of step 0 in the record of round \(stale.syncRound)", expected: 5, found: 6)) {
            try stale.catchUp(with: [foreign])
        }
        #expect(Fixtures.bitwiseEqual(stale.parameters, before))
        let twice = ClientUpload(client: 0, round: server.round, scalars: [Float](repeating: 0.5, count: 10), loss: 1)
        #expect(throws: FederationError.duplicateUpload(round: 80, client: 0)) {
            try server.finishRound(uploads: [twice, twice], learningRate: 0.05)
        }
        #expect(server.round == 80)
    }

    /// With a short retention window stale clients fall back to full downloads, the ledger
    /// counts them, and the exact run still equals the fast one (so the downloads were right).
    @Test("retention fallback is counted and keeps clients exact")
    func retentionFallback() throws {
        var c = Fixtures.configuration(method: .hiso, clients: 8, sampled: 2, rounds: 120)
        c.syncMode = .exact
        c.logRetention = 3
        let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 8))
        let curve = try run.run()
        #expect(run.ledger.fullModelDownloads > 0)
        #expect(run.server!.log.records.count <= 3)
        let d = UInt64(run.task.parameterCount)
        let fallbacks = run.ledger.entries.filter { $0.down.fullVectors > 0 }
        #expect(fallbacks.count == run.ledger.fullModelDownloads)
        #expect(fallbacks.allSatisfy { $0.down.fullVectors == 8 * d && $0.down.scalars == 0 && $0.down.header == 8 })
        c.syncMode = .fast
        let fast = try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 8))
        #expect(Fixtures.sameMetrics(curve, try fast.run()))
        #expect(fast.ledger == run.ledger)
    }
}
