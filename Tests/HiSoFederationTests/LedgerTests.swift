import HiSoFederation
import Testing

@Suite("Communication ledger")
struct LedgerTests {
    /// Expected scalar-method bytes from first principles: a client sampled in round r that last
    /// synced at r0 downloads 8 header bytes and the records r0..<r; it uploads tau P floats.
    /// With `curvature`, every step carries `2 P` scalars each way (the `g_p` and the `c_p`).
    static func expectedScalarTotals(
        _ c: RunConfiguration, perClientRows: Int = 0, curvature: Bool = false
    ) -> (up: UInt64, down: UInt64) {
        var sync = [UInt64](repeating: 0, count: c.clients)
        var up: UInt64 = 0
        var down: UInt64 = 0
        let perStep = curvature ? 2 * c.perturbations : c.perturbations
        let record = UInt64(4 * (c.localSteps * perStep + perClientRows * c.perturbations))
        for r in 0..<UInt64(c.rounds) {
            for i in ClientSampler.sample(seed: c.seed, round: r, clients: c.clients, sampled: c.sampledClients) {
                down += 8 + (r - sync[i]) * record
                up += UInt64(4 * c.localSteps * perStep)
                sync[i] = r
            }
        }
        return (up, down)
    }

    @Test("DeComFL and HiSo (peer rule) count tau P floats each way plus the round index")
    func scalarMethods() throws {
        for method in [FederatedMethod.decomfl, .hiso] {
            let c = Fixtures.configuration(method: method, clients: 6, sampled: 2, localSteps: 3, rounds: 40)
            let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
            try run.run()
            let expected = Self.expectedScalarTotals(c)
            #expect(run.ledger.totalUp == TrafficBytes(scalars: expected.up))
            #expect(run.ledger.totalDown.header == 8 * 40 * 2)
            #expect(run.ledger.totalDown.total == expected.down)
            #expect(run.ledger.totalDown.fullVectors == 0 && run.ledger.totalDown.seeds == 0)
            #expect(run.curve.last?.bytesUp == expected.up && run.curve.last?.bytesDown == expected.down)
            #expect(run.ledger.entries.count == 80)
        }
    }

    @Test("a client sampled every round moves 40 scalar bytes per round (tau 1, P 5), as in the paper")
    func paperFigure() throws {
        let c = Fixtures.configuration(clients: 1, sampled: 1, rounds: 10)
        let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 1))
        try run.run()
        let entries = run.ledger.entries.dropFirst()
        #expect(entries.allSatisfy { $0.up.scalars + $0.down.scalars == 40 && $0.down.header == 8 })
        #expect(run.ledger.entries.first?.down.scalars == 0)
    }

    @Test("the HiSo paper rule's per-client scalars are counted downlink")
    func paperRule() throws {
        var c = Fixtures.configuration(method: .hiso, clients: 6, sampled: 3, localSteps: 2, rounds: 30)
        c.hessianRule = .paper
        let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        try run.run()
        let expected = Self.expectedScalarTotals(c, perClientRows: 3)
        #expect(run.ledger.totalUp.total == expected.up)
        #expect(run.ledger.totalDown.total == expected.down)
    }

    @Test("hiso-curv's second differences are counted both ways: 2 tau P floats per upload and per record")
    func curvatureRule() throws {
        var c = Fixtures.configuration(method: .hiso, clients: 6, sampled: 3, localSteps: 2, rounds: 30)
        c.hessianRule = .curvature
        c.scheme = .central
        let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        try run.run()
        let expected = Self.expectedScalarTotals(c, curvature: true)
        #expect(c.scalarsPerUpload == 2 * 2 * 5)
        #expect(run.ledger.totalUp == TrafficBytes(scalars: expected.up))
        #expect(run.ledger.totalDown.total == expected.down)
        #expect(run.ledger.entries.allSatisfy { $0.up.scalars == UInt64(4 * c.scalarsPerUpload) })
    }

    @Test("full-vector baselines count 4d bytes each way plus the round index", arguments: [
        FederatedMethod.fedzo, .fedavg, .fedadam, .fedadagrad, .fedyogi,
    ])
    func baselines(method: FederatedMethod) throws {
        let c = Fixtures.configuration(method: method, clients: 6, sampled: 2, localSteps: 2, rounds: 12, learningRate: 0.01)
        let task = try Fixtures.quadratic()
        let run = try FederatedRun(configuration: c, task: task)
        try run.run()
        let d = UInt64(task.parameterCount)
        #expect(run.ledger.totalUp == TrafficBytes(fullVectors: 12 * 2 * 4 * d))
        #expect(run.ledger.totalDown == TrafficBytes(header: 12 * 2 * 8, fullVectors: 12 * 2 * 4 * d))
        #expect(run.ledger.clientUp.reduce(TrafficBytes(), +) == run.ledger.totalUp)
    }
}
