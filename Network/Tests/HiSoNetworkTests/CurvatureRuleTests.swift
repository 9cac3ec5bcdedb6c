import HiSoFederation
import HiSoNetwork
import HiSoOptim
import HiSoWire
import Testing

/// hiso-curv over the network: clients upload `2 tau P` scalars (first and second differences),
/// the round records carry the aggregated second differences, and every party rebuilds the same
/// curvature estimate from them.
@Suite("hiso-curv over the network", .serialized)
struct CurvatureRuleTests {
    @Test("4 clients, 2 sampled, 10 rounds: server and clients end with the in-process x and H, bit for bit")
    func curvatureRuleMatchesInProcess() async throws {
        var configuration = NetFixture.configuration(clients: 4, sampled: 2, rounds: 10, method: .hiso)
        configuration.run.hessianRule = .curvature
        configuration.run.scheme = .central
        #expect(configuration.run.scalarsPerUpload == 2 * configuration.run.perturbations)
        var settings = ServerSettings()
        settings.minimumClients = 4
        settings.minimumAnswers = 2
        settings.roundDeadline = .seconds(120)
        let server = try await InProcessServer(configuration, settings: settings)
        let finals = try await withThrowingTaskGroup(of: Hiso_Federation_V1_ModelCheckpoint.self) { group in
            for id in 0..<4 {
                let settings = server.clientSettings(UInt32(id))
                group.addTask { try await ClientRole.run(settings, logger: InProcessServer.logger) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let final = try await server.serving.value
        #expect(final.round == 10)
        let simulated = try NetFixture.simulate(configuration)
        #expect(NetFixture.bits(final.parameters) == NetFixture.bits(simulated.x))
        #expect(!final.hessian.isEmpty && NetFixture.bits(final.hessian) == NetFixture.bits(simulated.h))
        #expect(finals.count == 4)
        for state in finals {
            #expect(NetFixture.bits(state.parameters) == NetFixture.bits(final.parameters))
            #expect(NetFixture.bits(state.hessian) == NetFixture.bits(final.hessian))
        }
    }

    @Test("a record whose second differences do not match the run's rule is refused")
    func recordWithoutCurvatureIsRefused() throws {
        var configuration = NetFixture.configuration(clients: 4, sampled: 2, rounds: 10, method: .hiso)
        configuration.run.hessianRule = .curvature
        configuration.run.scheme = .central
        let seed = StepSeed.derive(runSeed: configuration.run.seed, round: 0, step: 0)
        let plain = RoundRecord(round: 0, steps: [StepScalars(seed: seed, learningRate: 0.02, aggregated: [1, 2, 3, 4, 5])])
        #expect(throws: NetworkError.self) {
            try RoundRecord(wire: plain.wire(participants: [0, 1]), configuration: configuration.run)
        }
        let curved = RoundRecord(round: 0, steps: [
            StepScalars(seed: seed, learningRate: 0.02, aggregated: [1, 2, 3, 4, 5], curvature: [0.5, 0.25, 1, 2, 0.125]),
        ])
        let decoded = try RoundRecord(wire: curved.wire(participants: [0, 1]), configuration: configuration.run)
        #expect(decoded == curved)
        var other = configuration.run
        other.hessianRule = .peer
        #expect(throws: NetworkError.self) { try RoundRecord(wire: curved.wire(participants: [0, 1]), configuration: other) }
    }
}
