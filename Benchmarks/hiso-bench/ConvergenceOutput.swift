import HiSoExperiments
import HiSoFederation

/// What `hiso-bench convergence` prints: per comparison its summary document, plus the
/// calibration rows (digits-reference) or the pilot grid (fmnist-cnn), and the files written.
struct ConvergenceOutput: Encodable {
    /// One calibration check: our median rounds against the peer's widened range.
    struct Calibration: Encodable {
        var split: String
        var method: String
        var target: Double
        var ourMedian: Double?
        var ourMin: Int?
        var ourMax: Int?
        var peerMedian: Int?
        var peerMin: Int?
        var peerMax: Int?
        /// `0.7 * peerMin`.
        var allowedLow: Double?
        /// `1.3 * peerMax`.
        var allowedHigh: Double?
        /// Whether our median lies in `[allowedLow, allowedHigh]`.
        var inside: Bool
    }

    /// One pilot run of the learning-rate choice.
    struct Pilot: Encodable {
        var method: String
        var learningRate: Double
        var rounds: Int
        var finalAccuracy: Double?
        var status: String
        var selected: Bool
    }

    var metadata: Report.Metadata
    var scenario: String
    var outputDirectory: String
    var comparisons: [String: ComparisonDocument]
    var calibration: [Calibration]
    var pilot: [Pilot]
    var notes: [String]

    /// The tables and notes as terminal text.
    var text: String {
        var out = "# hiso-bench convergence \(scenario) | \(metadata.date) | \(metadata.cpu) x\(metadata.logicalCpus) | commit \(metadata.commit ?? "unknown") | \(metadata.build)\n"
        for key in comparisons.keys.sorted() {
            let doc = comparisons[key]!
            out += "\n## \(key)\n\(doc.headline)\n\n\(doc.summary.textTable())"
        }
        if !calibration.isEmpty {
            out += "\n## Calibration: our median rounds vs the peer's range widened by 30% [0.7 min, 1.3 max]\n"
            out += ReportFormat.columns(
                ["split", "method", "target", "ours median [min-max]", "peer median [min-max]", "allowed", "inside"],
                calibration.map { c in
                    [c.split, c.method, ReportFormat.percent(c.target),
                     "\(c.ourMedian.map(ReportFormat.rounds) ?? "-") [\(c.ourMin.map(String.init) ?? "-")-\(c.ourMax.map(String.init) ?? "-")]",
                     "\(c.peerMedian.map(String.init) ?? "-") [\(c.peerMin.map(String.init) ?? "-")-\(c.peerMax.map(String.init) ?? "-")]",
                     "\(c.allowedLow.map { ReportFormat.fixed($0, 0) } ?? "-")-\(c.allowedHigh.map { ReportFormat.fixed($0, 0) } ?? "-")",
                     c.inside ? "yes" : "NO"]
                }, leftAligned: 3)
        }
        if !pilot.isEmpty {
            out += "\n## Learning-rate pilot (seed 0; highest final accuracy wins, ties to the smaller rate)\n"
            out += ReportFormat.columns(
                ["method", "lr", "rounds", "final acc", "status", "chosen"],
                pilot.map { [$0.method, ReportFormat.learningRate($0.learningRate), String($0.rounds),
                             $0.finalAccuracy.map { ReportFormat.fixed($0, 3) } ?? "-", $0.status, $0.selected ? "*" : ""] },
                leftAligned: 2)
        }
        for note in notes { out += "\nNote: \(note)" }
        out += "\nReports in \(outputDirectory)\n"
        return out
    }
}
