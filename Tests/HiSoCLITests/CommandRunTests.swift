import Foundation
import HiSoExperiments
import HiSoFederation
import Testing

@testable import hiso

/// Tiny end-to-end runs: the files `train` and `compare` write, the JSON schema, and valid
/// partial results when interrupted.
@Suite(.serialized) struct CommandRunTests {
    static func settings(_ arguments: [String], mode: RunSettings.Mode) throws -> RunSettings {
        try RunSettings(SharedOptions.parseLayered(arguments), mode: mode)
    }

    @Test func compareWritesTheReportAndTheJSONSchema() throws {
        let dir = try TemporaryDirectory()
        let settings = try Self.settings(
            ["--rounds", "30", "--eval-every", "10", "--seeds", "2", "--targets", "0.2,0.99", "--json", "--out", dir.url.path],
            mode: .compare)
        let session = ExperimentSession(settings, mode: .compare, interrupt: InterruptFlag(), showProgress: false)
        let (document, curves) = try session.compare()
        #expect(curves.count == 4)
        #expect(document.status == "complete")
        for name in ["summary.json", "summary.csv", "curves.csv", "table.txt", "report.md", "accuracy_vs_rounds.svg",
                     "accuracy_vs_bytes.svg", "config.json", "plan.json", "runs/hiso_lr1e-2_seed1.csv"] {
            #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(name).path), "missing \(name)")
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("summary.json"))) as? [String: Any])
        #expect(object["task"] as? String == "digits")
        let methods = try #require(object["methods"] as? [[String: Any]])
        #expect(methods.map { $0["method"] as? String } == ["decomfl", "hiso"])
        for method in methods {
            let rounds = try #require(method["median_rounds_to"] as? [String: Any])
            #expect(Set(rounds.keys) == ["0.2", "0.99"])
            #expect(rounds["0.99"] is NSNull)
            #expect((method["final_accuracy"] as? Double).map { $0 > 0 && $0 <= 1 } == true)
            #expect((method["bytes_per_round"] as? Double).map { $0 > 0 } == true)
            #expect((method["ms_per_round"] as? Double).map { $0 > 0 } == true)
        }
        let config = try ConfigFile(path: dir.url.appendingPathComponent("config.json").path, knownKeys: SharedOptions.configKeys)
        #expect(config.values["rounds"] == "30")
    }

    @Test func trainWritesCurveConfigAndSummary() throws {
        let dir = try TemporaryDirectory()
        let settings = try Self.settings(["--rounds", "20", "--eval-every", "5", "--methods", "decomfl", "--out", dir.url.path], mode: .train)
        let session = ExperimentSession(settings, mode: .train, interrupt: InterruptFlag(), showProgress: false)
        let curve = try session.train()
        #expect(curve.status == .completed)
        #expect(curve.points.map(\.round) == [0, 5, 10, 15, 20])
        let points = try ReportCurve.points(fromCSV: String(contentsOf: dir.url.appendingPathComponent("curve.csv"), encoding: .utf8), path: "curve.csv")
        #expect(points == curve.points)
        #expect(points.last!.bytesUp > 0 && points.last!.bytesDown > 0)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("summary.json"))) as? [String: Any])
        #expect(summary["status"] as? String == "completed")
        #expect(summary["rounds_completed"] as? Int == 20)
    }

    @Test func interruptedTrainLeavesValidPartialResults() throws {
        let dir = try TemporaryDirectory()
        let settings = try Self.settings(["--rounds", "500", "--eval-every", "5", "--out", dir.url.path], mode: .train)
        let interrupt = InterruptFlag()
        interrupt.raise()
        #expect {
            try TrainCommand.execute(settings, interrupt: interrupt, showProgress: false)
        } throws: { error in
            (error as? RunFailure)?.exitStatus == 130
        }
        let points = try ReportCurve.points(fromCSV: String(contentsOf: dir.url.appendingPathComponent("curve.csv"), encoding: .utf8), path: "curve.csv")
        #expect(points.count == 1)
        #expect(points[0].round == 0)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("summary.json"))) as? [String: Any])
        #expect(summary["status"] as? String == "interrupted")
        #expect((summary["rounds_completed"] as? Int).map { $0 < 500 } == true)
    }

    @Test func interruptedCompareExitsWith130() throws {
        let dir = try TemporaryDirectory()
        let settings = try Self.settings(["--rounds", "500", "--out", dir.url.path], mode: .compare)
        let interrupt = InterruptFlag()
        interrupt.raise()
        #expect {
            try CompareCommand.execute(settings, interrupt: interrupt, showProgress: false)
        } throws: { error in
            (error as? RunFailure)?.exitStatus == 130
        }
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("config.json").path))
    }

    @Test func progressLineShowsRoundRateAccuracyAndETA() {
        let line = ProgressDisplay.line(label: "hiso lr 1e-2 seed 0", round: 500, total: 1500, seconds: 2, accuracy: 0.8123)
        #expect(line == "hiso lr 1e-2 seed 0  round 500/1500  250 r/s  acc 0.812  ETA 0:04")
        #expect(ProgressDisplay.duration(3725) == "1:02:05")
    }
}
