import Foundation
import HiSoData
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import Testing

/// The deterministic benchmark figures committed in `Benchmarks/Thresholds/` (as swift-nio
/// commits its `Benchmarks/Thresholds/*.json`), checked on every `swift test`: a regression in
/// rounds to target or in bytes per round fails the test suite, hence CI. Timing figures are not
/// gated (this machine is shared and noisy); `hiso-bench` reports them.
///
/// The figures are pure functions of the code, the seeds and the backend (the random streams are
/// the same on both backends, but the models' GEMMs round differently, so trajectories differ
/// slightly); rounds to target are therefore kept per backend and checked on the build's default
/// backend, bytes per round are the same for both. To accept a change on purpose, run
/// `HISO_UPDATE_THRESHOLDS=1 swift test --filter ThresholdGateTests`, which prints the measured
/// gates instead of checking them, and commit them into the file.
@Suite("Benchmark threshold gate")
struct ThresholdGateTests {
    /// One gated setting of the digits calibration (`hiso-bench convergence digits-reference`).
    struct Gate: Codable, Equatable {
        /// `decomfl` or `hiso`.
        var method: String
        /// `iid` or `dir0.5`.
        var partition: String
        /// Per backend (`openblas`, `swift`): the median over the seeds of the rounds to 70%, 80%
        /// and 90% test accuracy (`nil`: not reached by the median seed). A measured median above
        /// the threshold is a regression.
        var medianRoundsToTarget: [String: [Int?]]
        /// Client upload bytes per round, over all seeds (exact: the ledger's totals).
        var bytesUpPerRound: Double
        /// Server download bytes per round, over all seeds (exact; catch-up traffic depends on
        /// which clients each seed samples).
        var bytesDownPerRound: Double
    }

    /// The thresholds file.
    struct Thresholds: Codable, Equatable {
        /// What the file gates and how to update it.
        var note: String
        /// The seeds of every setting.
        var seeds: [UInt64]
        /// The round budget of every run (enough for the median seed to reach every target).
        var rounds: Int
        /// The gated settings.
        var gates: [Gate]
    }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let file = packageRoot.appendingPathComponent("Benchmarks/Thresholds/digits-calibration.json")
    static let reference = packageRoot.appendingPathComponent("Data/digits-reference", isDirectory: true)

    /// Measures the gate's figures for `setting` over `seeds`.
    static func measure(_ setting: DigitsCalibration.Setting, seeds: [UInt64], rounds: Int, backend: BackendKind) throws -> Gate {
        let result = try DigitsCalibration.run(setting, directory: reference, seeds: seeds, backend: backend, rounds: rounds)
        let medians = DigitsCalibration.targets.indices.map { t in result.median(target: t).map { Int($0.rounded(.up)) } }
        let finals = result.curves.compactMap(\.last)
        #expect(finals.count == seeds.count && finals.allSatisfy { $0.round == rounds })
        let total = Double(rounds * seeds.count)
        return Gate(
            method: setting.method.rawValue, partition: setting.partition.rawValue, medianRoundsToTarget: [backend.rawValue: medians],
            bytesUpPerRound: Double(finals.map(\.bytesUp).reduce(0, +)) / total,
            bytesDownPerRound: Double(finals.map(\.bytesDown).reduce(0, +)) / total)
    }

    static func thresholds() throws -> Thresholds {
        try JSONDecoder().decode(Thresholds.self, from: Data(contentsOf: file))
    }

    @Test("rounds to target and bytes per round on the digits calibration do not regress", arguments: [0, 1])
    func digitsCalibration(gate index: Int) throws {
        let thresholds = try Self.thresholds()
        let gate = thresholds.gates[index]
        let setting = try #require(DigitsCalibration.Setting.all.first {
            $0.method.rawValue == gate.method && $0.partition.rawValue == gate.partition
        }, "unknown setting \(gate.method) \(gate.partition)")
        let backend = try Kernels.backend(nil).kind
        let now = try Self.measure(setting, seeds: thresholds.seeds, rounds: thresholds.rounds, backend: backend)
        let limits = try #require(gate.medianRoundsToTarget[backend.rawValue], "no thresholds for the \(backend) backend")
        let measured = try #require(now.medianRoundsToTarget[backend.rawValue])
        if ProcessInfo.processInfo.environment["HISO_UPDATE_THRESHOLDS"] == "1" {
            print("ThresholdGateTests: \(setting): \(String(decoding: try JSONEncoder().encode(now), as: UTF8.self))")
            return
        }
        #expect(now.bytesUpPerRound == gate.bytesUpPerRound, "\(setting): bytes up per round")
        #expect(now.bytesDownPerRound == gate.bytesDownPerRound, "\(setting): bytes down per round")
        for (t, limit) in limits.enumerated() {
            let target = DigitsCalibration.targets[t]
            switch (limit, measured[t]) {
            case (let limit?, let rounds?):
                #expect(rounds <= limit, "\(setting), \(backend): median rounds to \(target) regressed from \(limit) to \(rounds)")
            case (_?, nil):
                Issue.record("\(setting): the median seed no longer reaches \(target)")
            case (nil, _):
                break
            }
        }
    }

    @Test("the thresholds file gates both calibration methods")
    func fileCoversTheGates() throws {
        let thresholds = try Self.thresholds()
        #expect(thresholds.gates.map(\.method) == ["decomfl", "hiso"])
        #expect(thresholds.gates.allSatisfy { gate in
            gate.medianRoundsToTarget.keys.sorted() == ["openblas", "swift"]
                && gate.medianRoundsToTarget.values.allSatisfy { $0.count == DigitsCalibration.targets.count }
        })
    }
}
