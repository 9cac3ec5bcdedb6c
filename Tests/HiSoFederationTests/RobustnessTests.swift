import HiSoExperiments
import HiSoFederation
import HiSoKernels
import Testing

@Suite("Aggregators, attacks and faults")
struct RobustnessTests {
    /// 7 honest uploads near (1, 2, 3) and f attackers far away.
    static func uploads(attackers f: Int) -> [[Float]] {
        let honest: [[Float]] = (0..<(7 - f)).map { i in [1, 2, 3].map { $0 + Float(i) * 0.01 } }
        let bad: [[Float]] = (0..<f).map { _ in [1000, -1000, 1e6] }
        return bad + honest
    }

    @Test("median, trimmed mean and Krum stay within the honest values with f attackers")
    func robustAggregators() {
        let f = 2
        let uploads = Self.uploads(attackers: f)
        for kind in [AggregatorKind.median, .trimmedMean, .krum] {
            let out = Aggregator(kind: kind, byzantineCount: f).aggregate(uploads)
            for (j, target) in [Float(1), 2, 3].enumerated() {
                #expect(out[j] >= target && out[j] <= target + 0.05, "\(kind) coordinate \(j) = \(out[j])")
            }
        }
        #expect(Aggregator(kind: .krum, byzantineCount: f).krumIndex(uploads) >= f)
        let mean = Aggregator(kind: .mean).aggregate(uploads)
        #expect(mean[2] > 1000)
    }

    @Test("mean, median and trimmed mean of small vectors are exact")
    func exactValues() {
        let uploads: [[Float]] = [[1, 10], [2, 20], [4, 40], [9, 90]]
        #expect(Aggregator(kind: .mean).aggregate(uploads) == [4, 40])
        #expect(Aggregator(kind: .median).aggregate(uploads) == [3, 30])
        #expect(Aggregator(kind: .trimmedMean, byzantineCount: 1).aggregate(uploads) == [3, 30])
    }

    @Test("gaussian attacks are reproducible and touch only attackers")
    func gaussianAttack() throws {
        let attack = Attack(kind: .gaussian, strength: 2, attackers: 3, clients: 8, seed: 9)
        #expect(attack.attackerIDs.count == 3)
        let honest = try #require((0..<8).first { !attack.isAttacker($0) })
        var a: [Float] = [1, 2, 3]
        var b: [Float] = [1, 2, 3]
        attack.apply(to: &a, client: attack.attackerIDs[0], round: 4)
        attack.apply(to: &b, client: attack.attackerIDs[0], round: 4)
        #expect(a == b && a != [1, 2, 3])
        var c: [Float] = [1, 2, 3]
        attack.apply(to: &c, client: honest, round: 4)
        #expect(c == [1, 2, 3])
    }

    @Test("a run with sign-flip attackers converges with the median but not with the mean")
    func attackedRun() throws {
        var c = Fixtures.configuration(method: .decomfl, clients: 7, sampled: 7, rounds: 60, learningRate: 0.05)
        c.attack = .signFlip
        c.attackers = 2
        c.attackStrength = 50
        c.aggregator = .median
        let robust = try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 7))
        let robustCurve = try robust.run()
        let start = try #require(robustCurve.first?.testLoss)
        #expect(try #require(robustCurve.last?.testLoss) < 0.9 * start)
        c.aggregator = .mean
        let naive = try FederatedRun(configuration: c, task: try Fixtures.quadratic(clients: 7))
        do {
            let naiveCurve = try naive.run()
            #expect(try #require(naiveCurve.last?.testLoss) > start)
        } catch FederationError.diverged {
            #expect(naive.curve.count >= 1)
        }
        #expect(Attack(kind: .scaling, strength: 2, attackers: 2, clients: 7, seed: 11).attackerIDs.count == 2)
    }

    /// A task whose client 1 always returns NaN.
    final class PoisonedTask: FederatedTask {
        let base: QuadraticTask
        init(_ base: QuadraticTask) { self.base = base }
        var parameterCount: Int { base.parameterCount }
        var clientCount: Int { base.clientCount }
        var supportsGradient: Bool { true }
        func initialParameters(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>) { base.initialParameters(seed: seed, into: x) }
        func loss(at x: UnsafeBufferPointer<Float>, batch: BatchKey) throws -> Float {
            batch.client == 1 ? .nan : try base.loss(at: x, batch: batch)
        }
        func lossAndGradient(at x: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, batch: BatchKey) throws -> Float {
            let value = try base.lossAndGradient(at: x, gradient: gradient, batch: batch)
            if batch.client == 1 { gradient.initialize(repeating: .nan) }
            return value
        }
        func evaluate(at x: UnsafeBufferPointer<Float>) throws -> TaskEvaluation { try base.evaluate(at: x) }
    }

    @Test("a client with non-finite scalars is excluded and recorded", arguments: [FederatedMethod.decomfl, .hiso, .fedavg])
    func nonFiniteClientExcluded(method: FederatedMethod) throws {
        let c = Fixtures.configuration(method: method, clients: 6, sampled: 3, rounds: 40, learningRate: 0.02)
        let run = try FederatedRun(configuration: c, task: PoisonedTask(try Fixtures.quadratic()))
        let curve = try run.run()
        let rounds = (0..<UInt64(40)).filter { ClientSampler.sample(seed: c.seed, round: $0, clients: 6, sampled: 3).contains(1) }
        #expect(!rounds.isEmpty)
        #expect(run.exclusions == rounds.map { Exclusion(round: $0, clients: [1]) })
        #expect(run.parameters.allSatisfy { $0.isFinite })
        #expect(try #require(curve.last?.testLoss) < curve[0].testLoss)
    }

    @Test("a diverging run stops with a typed error and keeps the curve so far")
    func divergence() throws {
        var c = Fixtures.configuration(method: .fedavg, rounds: 400, learningRate: 100)
        c.evaluateEvery = 1
        let run = try FederatedRun(configuration: c, task: try Fixtures.quadratic())
        #expect {
            try run.run()
        } throws: { error in
            guard case FederationError.diverged = error else { return false }
            return true
        }
        #expect(run.completedRounds < 400)
        #expect(!run.curve.isEmpty)
        #expect(run.curve.allSatisfy { $0.testLoss.isFinite })
    }
}
