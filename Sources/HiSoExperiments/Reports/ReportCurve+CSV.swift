import Foundation
import HiSoFederation

extension ReportCurve {
    /// The CSV column names of a curve file, in order.
    public static let csvHeader = [
        "round", "test_accuracy", "test_loss", "train_loss", "bytes_up", "bytes_down", "wall_seconds",
    ]

    /// The curve as a CSV table with ``csvHeader`` columns, one row per evaluated round.
    public var csvTable: CSVTable {
        var table = CSVTable(header: Self.csvHeader)
        for p in points {
            table.append([
                String(p.round), CSVTable.number(p.testAccuracy ?? .nan), CSVTable.number(p.testLoss),
                CSVTable.number(p.trainLoss), String(p.bytesUp), String(p.bytesDown), CSVTable.number(p.wallSeconds),
            ])
        }
        return table
    }

    /// Several curves in one long-format table: `method, learning_rate, seed` followed by the
    /// ``csvHeader`` columns.
    public static func combinedCSV(_ curves: [ReportCurve]) -> CSVTable {
        var table = CSVTable(header: ["method", "learning_rate", "seed"] + csvHeader)
        for curve in curves {
            let prefix = [curve.method, CSVTable.number(curve.learningRate), String(curve.seed)]
            for row in curve.csvTable.rows { table.append(prefix + row) }
        }
        return table
    }

    /// Reads the points of a curve CSV written by ``csvTable`` (the header must match).
    ///
    /// - Throws: `ReportError.malformed(path:location:expected:found:)` naming the line.
    public static func points(fromCSV text: String, path: String) throws(ReportError) -> [CurvePoint] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { throw .malformed(path: path, location: "line 1", expected: "a header", found: "an empty file") }
        let header = lines.removeFirst()
        guard header == csvHeader.joined(separator: ",") else {
            throw .malformed(path: path, location: "line 1", expected: csvHeader.joined(separator: ","), found: header)
        }
        var points: [CurvePoint] = []
        for (index, line) in lines.enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == csvHeader.count,
                let round = Int(cells[0]), let acc = Double(cells[1]), let testLoss = Double(cells[2]),
                let trainLoss = Double(cells[3]), let up = UInt64(cells[4]), let down = UInt64(cells[5]),
                let wall = Double(cells[6])
            else {
                throw .malformed(path: path, location: "line \(index + 2)", expected: "\(csvHeader.count) numeric cells", found: "'\(line)'")
            }
            points.append(CurvePoint(round: round, testAccuracy: acc, testLoss: testLoss, trainLoss: trainLoss, bytesUp: up, bytesDown: down, wallSeconds: wall))
        }
        return points
    }
}
