import Foundation
import HiSoExperiments
import HiSoFederation

/// Synthetic curves and a self-deleting temporary directory for the CLI tests.
enum Fixtures {
    /// A curve evaluated every 25 rounds with the given accuracies, 100 bytes per round.
    static func curve(method: String, seed: UInt64, accuracies: [Double], learningRate: Double = 0.01, msPerRound: Double = 0.5) -> ReportCurve {
        let points = accuracies.enumerated().map { i, acc in
            CurvePoint(
                round: 25 * i, testAccuracy: acc, testLoss: 2 - acc, trainLoss: 2.1 - acc,
                bytesUp: UInt64(40 * 25 * i), bytesDown: UInt64(60 * 25 * i), wallSeconds: Double(i) * 0.1)
        }
        let rounds = 25 * (accuracies.count - 1)
        return ReportCurve(
            method: method, learningRate: learningRate, seed: seed, points: points, roundsCompleted: rounds,
            trainingSeconds: Double(rounds) * msPerRound / 1000, status: .completed)
    }
}

/// A fresh directory under the system temporary directory, removed on deinit.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
