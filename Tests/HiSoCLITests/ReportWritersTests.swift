import Foundation
import HiSoExperiments
import HiSoFederation
import Testing

@testable import hiso

/// CSV/JSON writers: atomic replacement, well-formed output, quoting.
@Suite struct ReportWritersTests {
    @Test func atomicWriteReplacesTheFileAndLeavesNoTemporary() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("a.txt")
        try AtomicFile.write("first", to: url)
        try AtomicFile.write("second", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.url.path)
        #expect(names == ["a.txt"])
    }

    @Test func atomicWriteIntoAMissingDirectoryFailsWithThePath() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("missing/a.txt")
        #expect(throws: ReportError.self) { try AtomicFile.write("x", to: url) }
        do {
            try AtomicFile.write("x", to: url)
        } catch {
            #expect(error.description.contains(url.path))
        }
    }

    @Test func csvQuotesCellsThatNeedIt() {
        var table = CSVTable(header: ["a", "b"])
        table.append(["plain", "with,comma"])
        table.append(["say \"hi\"", "line\nbreak"])
        #expect(table.text == "a,b\nplain,\"with,comma\"\n\"say \"\"hi\"\"\",\"line\nbreak\"\n")
        #expect(CSVTable.number(3) == "3")
        #expect(CSVTable.number(0.25) == "0.25")
        #expect(CSVTable.number(.nan) == "nan")
    }

    @Test func curveCSVRoundTrips() throws {
        let curve = Fixtures.curve(method: "hiso", seed: 1, accuracies: [0.1, 0.5, 0.8, 0.92])
        let text = curve.csvTable.text
        let points = try ReportCurve.points(fromCSV: text, path: "curve.csv")
        #expect(points == curve.points)
        #expect(text.hasPrefix("round,test_accuracy,test_loss,train_loss,bytes_up,bytes_down,wall_seconds\n"))
    }

    @Test func malformedCurveCSVNamesTheLine() {
        let text = "round,test_accuracy,test_loss,train_loss,bytes_up,bytes_down,wall_seconds\n0,0.1,2,2,0,0,0\n25,abc,2,2,10,10,1\n"
        #expect(throws: ReportError.malformed(path: "c.csv", location: "line 3", expected: "7 numeric cells", found: "'25,abc,2,2,10,10,1'")) {
            try ReportCurve.points(fromCSV: text, path: "c.csv")
        }
    }

    @Test func jsonIsParseableAndSnakeCased() throws {
        let summary = RunSummary(curve: Fixtures.curve(method: "decomfl", seed: 0, accuracies: [0.1, 0.75]), roundsPlanned: 50, targets: [0.7, 0.9])
        let data = try ReportJSON.data(summary)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["rounds_completed"] as? Int == 25)
        #expect(object["final_accuracy"] as? Double == 0.75)
        let targets = try #require(object["targets"] as? [[String: Any]])
        #expect(targets.count == 2)
        #expect(targets[0]["round"] as? Int == 25)
        #expect(targets[1]["round"] == nil || targets[1]["round"] is NSNull)
    }

    @Test func runFilesStayValidWhileUpdating() throws {
        let dir = try TemporaryDirectory()
        let files = try RunFiles(directory: dir.url.appendingPathComponent("run"), configuration: ["mu": "0.001"], roundsPlanned: 100, targets: [0.5])
        var curve = Fixtures.curve(method: "hiso", seed: 0, accuracies: [0.1])
        try files.update(curve, force: true)
        #expect(try ReportCurve.points(fromCSV: String(contentsOf: files.curveURL, encoding: .utf8), path: "curve.csv").count == 1)
        curve = Fixtures.curve(method: "hiso", seed: 0, accuracies: [0.1, 0.3, 0.6])
        curve.status = .interrupted
        try files.finish(curve)
        let points = try ReportCurve.points(fromCSV: String(contentsOf: files.curveURL, encoding: .utf8), path: "curve.csv")
        #expect(points.count == 3)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: files.summaryURL)) as? [String: Any])
        #expect(summary["status"] as? String == "interrupted")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: files.configURL)) as? [String: Any])
        #expect(config["mu"] as? String == "0.001")
    }
}
