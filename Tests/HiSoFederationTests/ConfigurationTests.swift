import Foundation
import HiSoFederation
import HiSoOptim
import Testing

@Suite("Run configuration")
struct ConfigurationTests {
    @Test("a partial JSON document keeps the defaults for missing keys")
    func partialDecoding() throws {
        let json = #"{"method": "hiso", "rounds": 7, "aggregator": "krum", "logRetention": 5}"#
        let c = try JSONDecoder().decode(RunConfiguration.self, from: Data(json.utf8))
        #expect(c.method == .hiso && c.rounds == 7 && c.aggregator == .krum && c.logRetention == 5)
        #expect(c.perturbations == 5 && c.mu == 1e-3 && c.learningRate == 1e-2 && c.backend == nil)
        let back = try JSONDecoder().decode(RunConfiguration.self, from: try JSONEncoder().encode(c))
        #expect(back == c)
    }

    static func invalid(_ change: (inout RunConfiguration) -> Void) -> RunConfiguration {
        var c = RunConfiguration()
        change(&c)
        return c
    }

    static let invalidCases: [(String, RunConfiguration)] = [
        ("sampledClients", invalid { $0.sampledClients = 9 }),
        ("mu", invalid { $0.mu = .nan }),
        ("localSteps", invalid { $0.localSteps = 0 }),
        ("sampledClients", invalid { $0.aggregator = .krum; $0.byzantineCount = 1 }),
        ("byzantineCount", invalid { $0.aggregator = .trimmedMean; $0.byzantineCount = 1 }),
        ("attackers", invalid { $0.attackers = 2 }),
        ("clients", invalid { $0.method = .mezo }),
        ("logRetention", invalid { $0.logRetention = 0 }),
        ("beta", invalid { $0.beta = 1.5 }),
    ]

    @Test("validation names the offending key", arguments: invalidCases)
    func validation(key: String, configuration: RunConfiguration) {
        #expect(throws: Never.self) { try RunConfiguration().validate() }
        #expect {
            try configuration.validate()
        } throws: { error in
            guard case FederationError.invalidConfiguration(let found, _, _) = error else { return false }
            return found == key
        }
    }

    @Test("the task must match the configuration")
    func taskMismatch() throws {
        var c = Fixtures.configuration(clients: 5, sampled: 2)
        #expect(throws: FederationError.self) { try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 6)) }
        c.clients = 6
        #expect(throws: Never.self) { try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 6)) }
    }

    @Test("schedules map onto HiSoOptim's learning-rate schedules")
    func schedules() {
        var c = RunConfiguration()
        c.learningRate = 0.1
        c.schedule = .step
        c.scheduleDecay = 0.5
        c.scheduleEvery = 10
        #expect(c.learningRateSchedule.learningRate(round: 25) == 0.025)
        c.schedule = .cosine
        c.rounds = 100
        #expect(c.learningRateSchedule.learningRate(round: 100) == 0)
        #expect(c.learningRateSchedule.learningRate(round: 0) == 0.1)
    }

    @Test("sampling is without replacement, seeded and covers every client")
    func sampling() {
        var counts = [Int](repeating: 0, count: 8)
        for r in UInt64(0)..<400 {
            let s = ClientSampler.sample(seed: 5, round: r, clients: 8, sampled: 2)
            #expect(s.count == 2 && s[0] < s[1])
            #expect(s == ClientSampler.sample(seed: 5, round: r, clients: 8, sampled: 2))
            for i in s { counts[i] += 1 }
        }
        #expect(counts.allSatisfy { $0 > 60 && $0 < 140 })
    }
}
