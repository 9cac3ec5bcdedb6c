import Foundation
import HiSoExperiments
import HiSoFederation
import Testing

/// Rounds-to-target statistics, speedups, learning-rate selection and the table text.
@Suite struct ComparisonSummaryTests {
    /// decomfl reaches 0.7 at rounds 50, 75, 75 and 0.9 at 100 on every seed; hiso reaches 0.7 at
    /// 25, 25, 50 and 0.9 at 75, never, 75.
    static func curves() -> [ReportCurve] {
        [
            Fixtures.curve(method: "decomfl", seed: 0, accuracies: [0.1, 0.5, 0.7, 0.8, 0.9]),
            Fixtures.curve(method: "hiso", seed: 0, accuracies: [0.1, 0.7, 0.8, 0.9, 0.9]),
            Fixtures.curve(method: "decomfl", seed: 1, accuracies: [0.1, 0.5, 0.6, 0.75, 0.91]),
            Fixtures.curve(method: "hiso", seed: 1, accuracies: [0.1, 0.72, 0.85, 0.88, 0.89]),
            Fixtures.curve(method: "decomfl", seed: 2, accuracies: [0.1, 0.4, 0.6, 0.7, 0.92]),
            Fixtures.curve(method: "hiso", seed: 2, accuracies: [0.1, 0.5, 0.81, 0.9, 0.93]),
        ]
    }

    @Test func mediansMinMaxAndSpeedup() throws {
        let summary = try ComparisonSummary(curves: Self.curves(), targets: [0.9, 0.7])
        #expect(summary.targets == [0.7, 0.9])
        #expect(summary.baseline == "decomfl")
        #expect(summary.methods.map(\.method) == ["decomfl", "hiso"])
        let decomfl = summary.methods[0], hiso = summary.methods[1]
        #expect(decomfl.targets[0].medianRounds == 75)
        #expect(decomfl.targets[0].minRounds == 50)
        #expect(decomfl.targets[0].maxRounds == 75)
        #expect(hiso.targets[0].medianRounds == 25)
        #expect(hiso.targets[0].speedup == 3)
        #expect(hiso.targets[1].medianRounds == 75)
        #expect(hiso.targets[1].maxRounds == nil)
        #expect(hiso.targets[1].reachedSeeds == 2)
        #expect(decomfl.targets[1].medianRounds == 100)
        #expect(hiso.targets[1].speedup == 100.0 / 75.0)
        #expect(hiso.targets[0].medianBytes == 2500)
        #expect(decomfl.finalAccuracy == 0.91)
        #expect(decomfl.bytesPerRound == 100)
        #expect(abs(decomfl.millisecondsPerRound - 0.5) < 1e-12)
    }

    @Test func unreachedByTheMedianSeedIsNil() throws {
        let curves = [
            Fixtures.curve(method: "a", seed: 0, accuracies: [0.1, 0.95]),
            Fixtures.curve(method: "a", seed: 1, accuracies: [0.1, 0.5]),
            Fixtures.curve(method: "a", seed: 2, accuracies: [0.1, 0.6]),
        ]
        let summary = try ComparisonSummary(curves: curves, targets: [0.9])
        #expect(summary.baseline == nil)
        #expect(summary.methods[0].targets[0].medianRounds == nil)
        #expect(summary.methods[0].targets[0].minRounds == 25)
        #expect(summary.methods[0].targets[0].speedup == nil)
    }

    @Test func learningRateSelectionFollowsTheDocumentedRule() throws {
        // 0.1 reaches 0.9 at 75; 0.01 reaches 0.9 at 50; 1.0 never reaches 0.7 but ends highest.
        let curves = [
            Fixtures.curve(method: "m", seed: 0, accuracies: [0.1, 0.7, 0.8, 0.9], learningRate: 0.1),
            Fixtures.curve(method: "m", seed: 0, accuracies: [0.1, 0.8, 0.9, 0.9], learningRate: 0.01),
            Fixtures.curve(method: "m", seed: 0, accuracies: [0.1, 0.2, 0.3, 0.95], learningRate: 1.0),
        ]
        let summary = try ComparisonSummary(curves: curves, targets: [0.7, 0.9])
        #expect(summary.methods[0].learningRate == 0.01)
        #expect(summary.methods[0].grid.map(\.learningRate) == [0.01, 0.1, 1.0])
        #expect(summary.methods[0].grid.filter(\.selected).count == 1)
        let none = [
            Fixtures.curve(method: "m", seed: 0, accuracies: [0.1, 0.3], learningRate: 0.1),
            Fixtures.curve(method: "m", seed: 0, accuracies: [0.1, 0.4], learningRate: 0.3),
        ]
        #expect(try ComparisonSummary(curves: none, targets: [0.9]).methods[0].learningRate == 0.3)
    }

    /// A rate at which any seed diverged is not selected, even when its median is the fastest;
    /// when every rate diverged somewhere, the usual rule picks among all of them.
    @Test func aRateThatDivergedOnAnySeedIsNotSelected() throws {
        var diverged = Fixtures.curve(method: "m", seed: 1, accuracies: [0.1, 0.2], learningRate: 0.1)
        diverged.status = .diverged
        let curves = [
            Fixtures.curve(method: "m", seed: 0, accuracies: [0.1, 0.9, 0.9, 0.9], learningRate: 0.1),
            Fixtures.curve(method: "m", seed: 2, accuracies: [0.1, 0.9, 0.9, 0.9], learningRate: 0.1),
            diverged,
            Fixtures.curve(method: "m", seed: 0, accuracies: [0.1, 0.5, 0.8, 0.9], learningRate: 0.01),
            Fixtures.curve(method: "m", seed: 1, accuracies: [0.1, 0.5, 0.8, 0.9], learningRate: 0.01),
            Fixtures.curve(method: "m", seed: 2, accuracies: [0.1, 0.5, 0.8, 0.9], learningRate: 0.01),
        ]
        let summary = try ComparisonSummary(curves: curves, targets: [0.9])
        #expect(summary.methods[0].learningRate == 0.01)
        #expect(summary.methods[0].grid.map(\.divergedSeeds) == [0, 1])
        let allDiverged = try ComparisonSummary(curves: Array(curves.prefix(3)), targets: [0.9])
        #expect(allDiverged.methods[0].learningRate == 0.1)
    }

    /// The headline speedup compares each method's own rate with the baseline's; the same-rate
    /// speedup puts the baseline at the method's rate (the fmnist-cnn "2.2x" case).
    @Test func sameRateSpeedupComparesTheBaselineAtTheMethodsRate() throws {
        let curves = [
            Fixtures.curve(method: "decomfl", seed: 0, accuracies: [0.1, 0.2, 0.9, 0.9, 0.9], learningRate: 0.01),
            Fixtures.curve(method: "decomfl", seed: 0, accuracies: [0.1, 0.2, 0.3, 0.4, 0.9], learningRate: 0.1),
            Fixtures.curve(method: "hiso", seed: 0, accuracies: [0.1, 0.2, 0.9, 0.9, 0.9], learningRate: 0.1),
        ]
        let summary = try ComparisonSummary(curves: curves, targets: [0.9])
        #expect(summary.baselineLearningRate == 0.01)
        let hiso = try #require(summary.methods.first { $0.method == "hiso" })
        #expect(hiso.learningRate == 0.1)
        #expect(hiso.targets[0].speedup == 1)
        #expect(hiso.targets[0].sameRateSpeedup == 2)
        #expect(summary.textTable().contains("0.1 vs 1e-2"))
        #expect(summary.markdownTables().contains("| hiso | 0.1 vs 1e-2 | 2.00x |"))
    }

    @Test func emptyInputIsAnError() {
        #expect(throws: ReportError.self) { try ComparisonSummary(curves: [], targets: [0.7]) }
        #expect(throws: ReportError.self) { try ComparisonSummary(curves: Self.curves(), targets: []) }
    }

    @Test func tableShowsMediansRangesAndSpeedups() throws {
        let text = try ComparisonSummary(curves: Self.curves(), targets: [0.7, 0.9]).textTable()
        #expect(text.contains("75 [50-75]"))
        #expect(text.contains("75 [75->100]"))
        #expect(text.contains("3.00x"))
        #expect(text.contains("over 3 seeds"))
    }

    @Test func jsonHasTheCompareSchema() throws {
        let summary = try ComparisonSummary(curves: Self.curves(), targets: [0.7, 0.9])
        let document = ComparisonDocument(task: "digits", setting: "test", runsCompleted: 6, runsPlanned: 6, summary: summary)
        let object = try #require(try JSONSerialization.jsonObject(with: ReportJSON.data(document)) as? [String: Any])
        #expect(object["status"] as? String == "complete")
        let methods = try #require(object["methods"] as? [[String: Any]])
        #expect(methods.count == 2)
        let hiso = methods[1]
        #expect(hiso["method"] as? String == "hiso")
        let rounds = try #require(hiso["median_rounds_to"] as? [String: Any])
        #expect(Set(rounds.keys) == ["0.7", "0.9"])
        #expect((rounds["0.7"] as? NSNumber)?.doubleValue == 25)
        for key in ["final_accuracy", "bytes_per_round", "ms_per_round"] {
            #expect(hiso[key] is NSNumber, "missing \(key)")
        }
    }
}
