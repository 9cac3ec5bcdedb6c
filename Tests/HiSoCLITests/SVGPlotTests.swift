import Foundation
import Testing

@testable import HiSoExperiments

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The SVG plots are well-formed XML with the expected series, bands and axes.
@Suite struct SVGPlotTests {
    /// Collects the `data-series` attribute of every element by class.
    final class Collector: NSObject, XMLParserDelegate {
        var byClass: [String: [String]] = [:]
        var elements = 0

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            elements += 1
            if let cls = attributes["class"] { byClass[cls, default: []].append(attributes["data-series"] ?? "") }
        }
    }

    static func parse(_ svg: String) throws -> Collector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "SVG is not well-formed XML: \(String(describing: parser.parserError))")
        return collector
    }

    @Test func accuracyVsRoundsHasALineAndABandPerMethod() throws {
        let curves = ComparisonSummaryTests.curves()
        let summary = try ComparisonSummary(curves: curves, targets: [0.7, 0.8, 0.9])
        let svg = ComparisonPlots.accuracyVsRounds(curves, summary: summary, title: "digits <test> & co").render()
        let parsed = try Self.parse(svg)
        #expect(parsed.byClass["series-line"] == ["decomfl (lr 1e-2)", "hiso (lr 1e-2)"])
        #expect(parsed.byClass["series-band"] == ["decomfl (lr 1e-2)", "hiso (lr 1e-2)"])
        #expect(parsed.byClass["rule"]?.count == 3)
        #expect(svg.contains("digits &lt;test&gt; &amp; co"))
    }

    @Test func accuracyVsBytesUsesALogAxis() throws {
        let curves = ComparisonSummaryTests.curves()
        let summary = try ComparisonSummary(curves: curves, targets: [0.7])
        let plot = ComparisonPlots.accuracyVsBytes(curves, summary: summary, title: "bytes")
        let parsed = try Self.parse(plot.render())
        #expect(parsed.byClass["series-line"]?.count == 2)
        #expect(parsed.byClass["series-band"] == nil)
        let axis = plot.makeXAxis()
        #expect(axis.ticks.allSatisfy { v in
            let e = log10(v)
            return abs(e - e.rounded()) < 1e-9
        })
        #expect(axis.low <= 2500 && axis.high >= 10000)
    }

    @Test func nonFinitePointsBreakTheLine() {
        let plot = SVGPlot(title: "t", xLabel: "x", yLabel: "y", series: [
            .init(name: "s", points: [.init(x: 0, y: 0), .init(x: 1, y: .nan), .init(x: 2, y: 1), .init(x: 3, y: 2)]),
        ])
        let path = plot.linePath(plot.series[0].points, px: { $0 }, py: { $0.isFinite ? $0 : nil })
        #expect(path == "M0.00 0.00 M2.00 1.00L3.00 2.00")
    }

    @Test func theRoundsAxisEndsAtTheLastRound() throws {
        let curves = ComparisonSummaryTests.curves()
        let plot = ComparisonPlots.accuracyVsRounds(curves, summary: try ComparisonSummary(curves: curves, targets: [0.7]), title: "rounds")
        let last = Double(try #require(curves.flatMap(\.points).map(\.round).max()))
        let axis = plot.makeXAxis()
        #expect(axis.low == 0 && axis.high == last)
        #expect(axis.ticks.allSatisfy { $0 <= last } && axis.ticks.count >= 3)
    }

    @Test func linearTicksAreNice() {
        let axis = SVGPlot.linearAxis(0, 1480, count: 8, fixed: false)
        #expect(axis.ticks == [0, 200, 400, 600, 800, 1000, 1200, 1400, 1600])
    }
}
