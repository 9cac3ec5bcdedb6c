import Foundation
import HiSoFederation

/// A table of text cells written as RFC 4180 CSV (comma separated, CRLF-free `\n` line ends).
///
/// A cell is quoted when it contains a comma, a quote or a line break; quotes inside are doubled.
/// Numbers are formatted by the caller (see ``CSVTable/number(_:)``) so that files are stable
/// across runs and locales.
public struct CSVTable: Sendable, Equatable {
    /// The column names.
    public var header: [String]
    /// The data rows; each must have `header.count` cells.
    public private(set) var rows: [[String]]

    /// Makes an empty table with the given column names.
    public init(header: [String]) {
        precondition(!header.isEmpty, "a CSV table needs at least one column")
        self.header = header
        self.rows = []
    }

    /// Appends one row.
    ///
    /// - Parameter row: exactly `header.count` cells (a programmer error otherwise).
    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "CSV row has \(row.count) cells, header has \(header.count)")
        rows.append(row)
    }

    /// The CSV text: the header line, then one line per row, each ending in `\n`.
    ///
    /// - Complexity: O(total characters).
    public var text: String {
        var out = Self.line(header)
        for row in rows { out += Self.line(row) }
        return out
    }

    /// Writes ``text`` to `url` atomically (see `AtomicFile`).
    public func write(to url: URL) throws(ReportError) {
        try AtomicFile.write(text, to: url)
    }

    /// A number as CSV text: integers without a fraction, others in the shortest form that
    /// reads back to the same `Double`, non-finite values as `nan`, `inf`, `-inf`.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(describing: value)
    }

    /// One CSV line with quoting where needed.
    static func line(_ cells: [String]) -> String {
        cells.map(escape).joined(separator: ",") + "\n"
    }

    /// A cell quoted if it contains `,`, `"`, `\n` or `\r`.
    static func escape(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
