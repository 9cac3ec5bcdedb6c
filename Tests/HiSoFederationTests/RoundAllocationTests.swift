#if os(Linux)
import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoOptim
import HiSoTestSupport
import Testing

/// A federated round allocates nothing that grows with the model: DeComFL and HiSo in exact
/// sync mode (sampled clients catch up by replaying the rounds they missed, so ``RoundReplay``
/// runs every round), 4 clients with 2 sampled, at d = 1,024 and d = 32,768.
///
/// - Steady state (every client sampled once already): the allocator calls per round agree
///   within 1% at both sizes and no request reaches one d-float vector. A round does allocate small
///   bookkeeping (its scalars, its log entry, the sampled ids); temporaries of model size it
///   does not.
/// - Over the whole run, requests of at least one d-float vector number at most one per state
///   vector per party (x; H and s for HiSo; server and clients): every party starts by sharing
///   the initial model and copies it when it first writes (copy-on-write), once.
/// - One ``RoundReplay/apply(_:to:preconditioner:backend:)`` makes the same calls at both sizes,
///   none of model size.
@Suite("A federated round allocates no d-sized temporaries")
struct RoundAllocationTests {
    static let dimensions = [1_024, 32_768]
    static let methods: [FederatedMethod] = [.decomfl, .hiso]
    static let clients = 4
    static let sampled = 2
    static let rounds = 16

    /// The first round after which every client has been sampled at least once (seed 0).
    static var steadyRound: Int {
        var seen = Set<Int>()
        for round in 0..<rounds {
            seen.formUnion(ClientSampler.sample(seed: 0, round: UInt64(round), clients: clients, sampled: sampled))
            if seen.count == clients { return round + 1 }
        }
        return rounds
    }

    /// Per method and dimension: the allocator calls of the steady rounds (summed), their largest
    /// request, the model-sized requests of the whole run, and one replay's calls and largest
    /// request.
    static func measure() throws -> [(String, Int)] {
        var report = [("control", MallocCounter.control()), ("steady-rounds", rounds - steadyRound)]
        let backend = try Kernels.backend(nil, threads: 1)
        for method in methods {
            for d in dimensions {
                MallocCounter.largeThreshold = 4 * d
                let problem = try QuadraticProblem(
                    QuadraticProblem.Specification(dimension: d, spectrum: .logNormal(sigma: 1), seed: 1), backend: backend)
                let task = try QuadraticTask(problem: problem, clients: clients, noiseScale: 0.1, backend: backend)
                var configuration = RunConfiguration()
                configuration.method = method
                configuration.clients = clients
                configuration.sampledClients = sampled
                configuration.rounds = rounds
                configuration.evaluateEvery = 10 * rounds
                configuration.learningRate = 1e-3
                configuration.syncMode = .exact
                configuration.threads = 1
                let run = try FederatedRun(configuration: configuration, task: task)
                let calls = UnsafeMutableBufferPointer<Int>.allocate(capacity: rounds + 1)
                let largest = UnsafeMutableBufferPointer<Int>.allocate(capacity: rounds + 1)
                defer {
                    calls.deallocate()
                    largest.deallocate()
                }
                var finished = 0
                let start = MallocCounter.snapshot()
                MallocCounter.arm()
                try run.run { event in
                    if case .roundFinished = event, finished < rounds {
                        let snapshot = MallocCounter.snapshot()
                        calls[finished] = snapshot.calls
                        largest[finished] = snapshot.largestBytes
                        finished += 1
                    }
                    return .proceed
                }
                MallocCounter.disarm()
                let end = MallocCounter.snapshot()
                let steady = (steadyRound + 1)..<rounds
                report.append(("\(method.rawValue)/\(d)/calls", calls[rounds - 1] - calls[steadyRound]))
                report.append(("\(method.rawValue)/\(d)/largest", steady.map { largest[$0] }.max() ?? 0))
                report.append(("\(method.rawValue)/\(d)/model-sized", end.largeCalls - start.largeCalls))
                let replay = try replayProfile(method, dimension: d, backend: backend)
                report.append(("\(method.rawValue)/\(d)/replay-calls", replay.calls))
                report.append(("\(method.rawValue)/\(d)/replay-largest", replay.largestBytes))
            }
        }
        return report
    }

    /// One ``RoundReplay/apply(_:to:preconditioner:backend:)`` of a two-step record (after a
    /// first one), with the method's preconditioner.
    static func replayProfile(_ method: FederatedMethod, dimension d: Int, backend: any KernelBackend) throws -> MallocCounter.Profile {
        var preconditioner: any Preconditioner =
            method == .hiso ? try HiSoPreconditioner(dimension: d) : IdentityPreconditioner()
        let record = RoundRecord(round: 0, steps: [
            StepScalars(seed: 1, learningRate: 1e-3, aggregated: [0.5, -0.25, 1, 0.125, 2]),
            StepScalars(seed: 2, learningRate: 1e-3, aggregated: [0.25, 0.5, -1, 0.5, -2]),
        ])
        let x = UnsafeMutableBufferPointer<Float>.allocate(capacity: d)
        defer { x.deallocate() }
        x.initialize(repeating: 0.5)
        let replay = { () throws(FederationError) in
            try RoundReplay.apply(record, to: x, preconditioner: &preconditioner, backend: backend)
        }
        try replay()
        return try MallocCounter.profile(replay)
    }

    /// Runs in the child process only: installs the hooks, measures, writes the report.
    @Test(.enabled(if: MallocCounter.isProbeChild))
    func roundAllocationProbeInChildProcess() throws {
        #expect(MallocCounter.install())
        try MallocCounter.writeReport(Self.measure())
    }

    @Test(
        "DeComFL and HiSo rounds (exact sync, catch-up replay) allocate the same at d = 1,024 and 32,768, no model-sized temporaries",
        .enabled(if: MallocCounter.unavailableReason == nil && !MallocCounter.isProbeChild, "\(MallocCounter.unavailableReason ?? "")"))
    func noModelSizedAllocationPerRound() throws {
        let report = try MallocCounter.runProbe(test: "roundAllocationProbeInChildProcess")
        #expect(report.status == 0, "the probe child failed: \(report.text)")
        #expect((report.counts["control"] ?? 0) >= 1, "the hook must see a class allocation: \(report.text)")
        #expect((report.counts["steady-rounds"] ?? 0) >= 4, "too few steady rounds: \(report.text)")
        let small = Self.dimensions[0], large = Self.dimensions[1]
        let thresholds = try AllocationThresholds.load()
        let steadyRounds = try #require(report.counts["steady-rounds"])
        for method in Self.methods {
            let name = method.rawValue
            // Calls per steady round, at the larger size (the smaller agrees within 1%, below).
            let perRound = try #require(report.counts["\(name)/\(large)/calls"], "\(report.text)") / max(steadyRounds - 1, 1)
            if AllocationThresholds.printsMeasured { print("allocation threshold perRound.\(name): measured \(perRound)") }
            #expect(perRound <= (try thresholds.perRound(name)), "\(name): \(perRound) calls per steady round; \(report.text)")
            let vectorsPerParty = method == .hiso ? 3 : 1
            for key in ["largest", "replay-calls", "replay-largest"] {
                let smallValue = try #require(report.counts["\(name)/\(small)/\(key)"], "\(report.text)")
                #expect(report.counts["\(name)/\(large)/\(key)"] == smallValue, "\(name) \(key) grows with d: \(report.text)")
            }
            // The steady rounds' calls agree within 1% (a d-dependent allocation would multiply
            // them by 32): a few small requests vary from run to run.
            let smallCalls = try #require(report.counts["\(name)/\(small)/calls"], "\(report.text)")
            let largeCalls = try #require(report.counts["\(name)/\(large)/calls"], "\(report.text)")
            #expect(abs(largeCalls - smallCalls) * 100 <= smallCalls, "\(name) calls grow with d: \(report.text)")
            for key in ["largest", "replay-largest"] {
                #expect((report.counts["\(name)/\(large)/\(key)"] ?? .max) < 4 * large, "\(name) \(key): \(report.text)")
            }
            for d in Self.dimensions {
                let modelSized = try #require(report.counts["\(name)/\(d)/model-sized"], "\(report.text)")
                #expect(modelSized <= vectorsPerParty * (Self.clients + 1), "\(name) at d = \(d): \(report.text)")
            }
        }
    }
}
#endif
