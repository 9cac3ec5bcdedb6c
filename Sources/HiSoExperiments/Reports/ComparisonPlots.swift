import Foundation

/// The two standard comparison plots, built from the runs of each method's selected learning rate:
/// test accuracy against rounds (median line, min-max band over seeds) and test accuracy against
/// cumulative bytes on a log axis (median over seeds of both).
public enum ComparisonPlots {
    /// One method's seeds aligned by evaluated round.
    struct Aligned {
        /// The series label (`method (lr 1e-2)`).
        var name: String
        /// Evaluated rounds present in at least one seed, ascending.
        var rounds: [Int]
        /// Accuracy of every seed that evaluated each round.
        var accuracies: [[Double]]
        /// Cumulative bytes (up + down) of every seed that evaluated each round.
        var bytes: [[Double]]
    }

    /// Aligns the selected runs of every method of `summary`.
    static func aligned(_ curves: [ReportCurve], _ summary: ComparisonSummary) -> [Aligned] {
        summary.methods.map { m in
            let runs = curves.filter { $0.method == m.method && $0.learningRate == m.learningRate }
            var acc: [Int: [Double]] = [:]
            var bytes: [Int: [Double]] = [:]
            for run in runs {
                for p in run.points {
                    acc[p.round, default: []].append(p.testAccuracy ?? .nan)
                    bytes[p.round, default: []].append(Double(p.totalBytes))
                }
            }
            let rounds = acc.keys.sorted()
            return Aligned(
                name: "\(m.method) (lr \(ReportFormat.learningRate(m.learningRate)))",
                rounds: rounds, accuracies: rounds.map { acc[$0]! }, bytes: rounds.map { bytes[$0]! })
        }
    }

    /// Test accuracy against rounds: per method the median over seeds with a min-max band,
    /// dashed lines at the targets, y from 0 to 1.
    ///
    /// - Parameters:
    ///   - curves: all runs of the comparison (other learning rates are ignored).
    ///   - summary: the summary that chose each method's learning rate.
    ///   - title: the plot title.
    public static func accuracyVsRounds(_ curves: [ReportCurve], summary: ComparisonSummary, title: String) -> SVGPlot {
        let series = aligned(curves, summary).map { a in
            SVGPlot.Series(
                name: a.name,
                points: zip(a.rounds, a.accuracies).map { SVGPlot.Point(x: Double($0.0), y: ReportStatistics.median($0.1)) },
                band: zip(a.rounds, a.accuracies).map { SVGPlot.BandPoint(x: Double($0.0), low: $0.1.min()!, high: $0.1.max()!) })
        }
        let seeds = summary.methods.map(\.seeds.count).max() ?? 0
        return SVGPlot(
            title: title, xLabel: "round", yLabel: "test accuracy (median, band = min-max over \(seeds) seeds)",
            yRange: 0...1, series: series, rules: summary.targets.map { SVGPlot.Rule(y: $0, label: ReportFormat.percent($0)) })
    }

    /// Test accuracy against cumulative bytes (up + down, all clients) on a log10 axis: per
    /// method the median accuracy over seeds against the median bytes at each evaluated round.
    public static func accuracyVsBytes(_ curves: [ReportCurve], summary: ComparisonSummary, title: String) -> SVGPlot {
        let series = aligned(curves, summary).map { a in
            SVGPlot.Series(
                name: a.name,
                points: zip(a.accuracies, a.bytes).map { SVGPlot.Point(x: ReportStatistics.median($0.1), y: ReportStatistics.median($0.0)) })
        }
        return SVGPlot(
            title: title, xLabel: "cumulative bytes, up + down, all clients (log scale)", yLabel: "test accuracy (median over seeds)",
            xScale: .log10, yRange: 0...1, series: series,
            rules: summary.targets.map { SVGPlot.Rule(y: $0, label: ReportFormat.percent($0)) },
            xTickFormat: { ReportFormat.bytes($0, trimmed: true).replacingOccurrences(of: " ", with: "\u{a0}") })
    }
}
