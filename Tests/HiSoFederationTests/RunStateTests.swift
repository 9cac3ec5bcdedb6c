import Foundation
import HiSoFederation
import HiSoKernels
import HiSoOptim
import Testing

@Suite("Run state, checkpoints and resume")
struct RunStateTests {
    @Test("the same configuration twice gives bit-identical curves")
    func deterministic() throws {
        let c = Fixtures.configuration(method: .hiso, rounds: 60)
        let a = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        let b = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        #expect(Fixtures.sameMetrics(try a.run(), try b.run()))
        #expect(Fixtures.bitwiseEqual(a.parameters, b.parameters))
        var other = c
        other.seed = 12
        let d = try FederatedRun(configuration: other, task: try Fixtures.quadratic())
        try d.run()
        #expect(!Fixtures.bitwiseEqual(a.parameters, d.parameters))
    }

    @Test("thread count and backend do not change the run (diagonal quadratic: no GEMM rounding)")
    func threadsAndBackends() throws {
        var c = Fixtures.configuration(method: .hiso, localSteps: 2, rounds: 40)
        c.backend = .swift
        let reference = try FederatedRun(configuration: c, task: try Fixtures.quadratic(backend: .swift))
        let curve = try reference.run()
        for backend in Kernels.compiledBackends {
            for threads in [1, 2] {
                c.backend = backend
                c.threads = threads
                let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic(backend: backend))
                #expect(Fixtures.sameMetrics(curve, try run.run()), "\(backend), \(threads) threads")
                #expect(Fixtures.bitwiseEqual(reference.parameters, run.parameters))
            }
        }
    }

    static let resumeCases: [(FederatedMethod, SyncMode, HessianRule)] = [
        (.decomfl, .fast, .peer), (.hiso, .exact, .peer), (.hiso, .exact, .paper), (.hiso, .fast, .paper), (.hiso, .exact, .curvature),
        (.hiso, .fast, .curvature),
        (.fedzo, .fast, .peer), (.fedadam, .fast, .peer), (.fedyogi, .fast, .peer),
    ]

    @Test("resume from a checkpoint file equals the uninterrupted run", arguments: resumeCases)
    func resume(method: FederatedMethod, mode: SyncMode, rule: HessianRule) throws {
        var c = Fixtures.configuration(method: method, rounds: 50, learningRate: method == .fedadam || method == .fedyogi ? 0.01 : 0.05)
        c.syncMode = mode
        c.hessianRule = rule
        if rule == .curvature { c.scheme = .central }
        c.localSteps = 2
        c.logRetention = 4
        let whole = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        let full = try whole.run()

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-fed-\(method)-\(mode)-\(rule).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        first.checkpointPath = path
        try first.run { event in
            if case .roundFinished(let round, _, _) = event, round == 22 { return .stop }
            return .proceed
        }
        #expect(first.completedRounds == 23)
        try first.checkpoint(includeHessian: true).write(to: path)
        let restored = try Checkpoint.read(from: path)
        #expect(restored == first.checkpoint(includeHessian: true))
        let resumed = try FederatedRun(resuming: restored, task: try Fixtures.quadratic())
        let rest = try resumed.run()
        #expect(Fixtures.sameMetrics(full, rest))
        #expect(Fixtures.bitwiseEqual(whole.parameters, resumed.parameters))
        #expect(whole.ledger == resumed.ledger)
    }

    @Test("a checkpoint whose H snapshot disagrees with the log is rejected")
    func tamperedHessian() throws {
        let c = Fixtures.configuration(method: .hiso, rounds: 10)
        let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        try run.run()
        var checkpoint = run.checkpoint(includeHessian: true)
        checkpoint.hessian?.values[0] += 1
        #expect(throws: FederationError.self) { try FederatedRun(resuming: checkpoint, task: try Fixtures.quadratic()) }
    }

    @Test("a checkpoint with a relabelled, reshaped or foreign round log gives a typed error, never a trap")
    func malformedRoundLog() throws {
        let c = Fixtures.configuration(method: .hiso, localSteps: 2, rounds: 6)
        let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        try run.run()
        let good = run.checkpoint()
        var relabelled = good
        relabelled.records[3].round = 7
        #expect {
            try FederatedRun(resuming: relabelled, task: try Fixtures.quadratic())
        } throws: { error in
            guard case FederationError.checkpointMismatch(_, let reason) = error else { return false }
            return reason.contains("record 3 is labelled round 7")
        }
        var short = good
        short.records[2].steps[1].aggregated.removeLast()
        #expect(throws: FederationError.dimensionMismatch(
            what: "aggregated scalars of step 1 in the record of round 2", expected: c.perturbations,
            found: c.perturbations - 1)) { try FederatedRun(resuming: short, task: try Fixtures.quadratic()) }
        var oneStep = good
        oneStep.records[0].steps.removeLast()
        #expect(throws: FederationError.dimensionMismatch(
            what: "local steps in the record of round 0", expected: 2, found: 1)) {
            try FederatedRun(resuming: oneStep, task: try Fixtures.quadratic())
        }
        var foreignLedger = good
        foreignLedger.ledger = CommunicationLedger(clients: c.clients + 1)
        #expect(throws: FederationError.self) { try FederatedRun(resuming: foreignLedger, task: try Fixtures.quadratic()) }
        let resumed = try FederatedRun(resuming: good, task: try Fixtures.quadratic())
        #expect(Fixtures.bitwiseEqual(resumed.parameters, run.parameters))
        var log = RoundLog(firstRound: 2)
        log.append(good.records[2])
        log.append(good.records[3])
        let encoded = try JSONEncoder().encode(log)
        #expect(try JSONDecoder().decode(RoundLog.self, from: encoded) == log)
        let gap = String(decoding: encoded, as: UTF8.self).replacingOccurrences(of: "\"firstRound\":2", with: "\"firstRound\":1")
        #expect(gap != String(decoding: encoded, as: UTF8.self))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RoundLog.self, from: Data(gap.utf8)) }
    }

    @Test("float vectors round-trip bit for bit through base64 JSON")
    func floatVectorCoding() throws {
        let values: [Float] = [0, -0.0, 1, .pi, .infinity, -.infinity, .leastNonzeroMagnitude, Float(bitPattern: 0x7FC0_1234)]
        let data = try JSONEncoder().encode(FloatVector(values))
        let back = try JSONDecoder().decode(FloatVector.self, from: data)
        #expect(Fixtures.bitwiseEqual(values, back.values))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FloatVector.self, from: Data("\"abc\"".utf8)) }
    }

    @Test("an unreadable or malformed checkpoint gives a typed error naming the file")
    func badCheckpoint() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-fed-bad.json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("{\"format\": 1}".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try Checkpoint.read(from: path)
        } throws: { error in
            guard case FederationError.checkpoint(let file, _) = error else { return false }
            return file == path
        }
        #expect(throws: FederationError.self) { try Checkpoint.read(from: path + ".missing") }
    }
}
