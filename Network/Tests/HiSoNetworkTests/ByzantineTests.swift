import HiSoFederation
import HiSoNetwork
import HiSoWire
import Testing

/// The in-process federation's Byzantine setting over the network: f attackers (a seeded subset
/// of the clients, chosen by the run's ``Attack``) send crafted scalars over their own TLS
/// connections, and the server aggregates with a robust rule.
@Suite("Byzantine clients over the network", .serialized)
struct ByzantineTests {
    @Test("f = 1 sign-flipping attacker x10 among 6 clients; the networked run equals the in-process one bit for bit",
          arguments: [AggregatorKind.median, .trimmedMean, .krum])
    func robustAggregation(_ aggregator: AggregatorKind) async throws {
        var configuration = NetFixture.configuration(clients: 6, sampled: 6, rounds: 8, method: .decomfl)
        configuration.run.aggregator = aggregator
        configuration.run.byzantineCount = 1
        configuration.run.attack = .signFlip
        configuration.run.attackers = 1
        configuration.run.attackStrength = 10
        var settings = ServerSettings()
        settings.minimumClients = 6
        settings.minimumAnswers = 6
        settings.roundDeadline = .seconds(120)
        let server = try await InProcessServer(configuration, settings: settings)
        let finals = try await withThrowingTaskGroup(of: Hiso_Federation_V1_ModelCheckpoint.self) { group in
            for id in 0..<6 {
                let settings = server.clientSettings(UInt32(id))
                group.addTask { try await ClientRole.run(settings, logger: InProcessServer.logger) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let final = try await server.serving.value
        #expect(final.round == 8)
        let simulated = try NetFixture.simulate(configuration)
        #expect(NetFixture.bits(final.parameters) == NetFixture.bits(simulated.x))
        for state in finals { #expect(NetFixture.bits(state.parameters) == NetFixture.bits(final.parameters)) }

        var honest = configuration
        honest.run.attack = .none
        honest.run.attackers = 0
        #expect(NetFixture.bits(try NetFixture.simulate(honest).x) != NetFixture.bits(final.parameters),
                "the attacker's scalars reached the aggregate")
    }
}
