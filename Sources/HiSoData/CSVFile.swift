import Foundation

/// A comma-separated file of plain cells (no quoting), read whole, with typed cell access whose
/// errors carry the 1-based line and column.
///
/// The file is kept as bytes with the byte range of every cell; numbers are parsed in place by
/// `strtof` (no per-cell `String`), which keeps a 1 MB file well under 100 ms in a debug build.
/// `\n` and `\r\n` line endings are accepted; blank lines at the end are ignored. Every data row
/// must have as many cells as the header (or the first row).
///
/// Memory: the file's bytes plus two `Int`s per cell.
struct CSVFile {
    /// The file path, for error messages.
    let file: String
    /// The header cells, when the table was read with a header.
    let header: [String]?
    /// The number of data rows.
    let rowCount: Int
    /// The number of cells per row.
    let columnCount: Int
    /// The 1-based line number of data row 0.
    let firstDataLine: Int
    /// The file bytes followed by a 0 terminator (so `strtof` stops at the end).
    private let bytes: [UInt8]
    /// Start and end byte offsets of each cell, row-major.
    private let cellStarts: [Int]
    private let cellEnds: [Int]

    /// Reads and splits `url` (plain or `.gz`).
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - hasHeader: whether line 1 is a header.
    /// - Throws: ``DataError/malformedCSV(file:line:column:reason:)`` for an empty file or a row
    ///   with the wrong number of cells; reader errors from ``FileBytes``.
    /// - Complexity: O(file size).
    init(contentsOf url: URL, hasHeader: Bool) throws(DataError) {
        try self.init(bytes: try FileBytes.read(url), file: url.path, hasHeader: hasHeader)
    }

    /// Splits in-memory file bytes; `file` names them in errors.
    init(bytes source: [UInt8], file: String, hasHeader: Bool) throws(DataError) {
        self.file = file
        var bytes = source
        bytes.append(0)
        var lineRanges: [Range<Int>] = []
        var start = 0
        for i in 0..<source.count where source[i] == UInt8(ascii: "\n") {
            lineRanges.append(start..<i)
            start = i + 1
        }
        if start < source.count { lineRanges.append(start..<source.count) }
        lineRanges = lineRanges.map { range in
            range.count > 0 && source[range.upperBound - 1] == UInt8(ascii: "\r") ? range.lowerBound..<(range.upperBound - 1) : range
        }
        while let last = lineRanges.last, source[last].allSatisfy({ $0 == UInt8(ascii: " ") }) { lineRanges.removeLast() }
        guard !lineRanges.isEmpty else { throw .malformedCSV(file: file, line: 1, column: 1, reason: "the file is empty") }

        var starts: [Int] = []
        var ends: [Int] = []
        var width: Int?
        var headerCells: [String]?
        let firstData = hasHeader ? 1 : 0
        for (lineIndex, range) in lineRanges.enumerated() {
            let cellsBefore = starts.count
            var cellStart = range.lowerBound
            for i in range where source[i] == UInt8(ascii: ",") {
                starts.append(cellStart)
                ends.append(i)
                cellStart = i + 1
            }
            starts.append(cellStart)
            ends.append(range.upperBound)
            let found = starts.count - cellsBefore
            if let expected = width, found != expected {
                throw .malformedCSV(
                    file: file, line: lineIndex + 1, column: min(found, expected) + 1,
                    reason: "expected \(expected) cells, found \(found)")
            }
            width = found
            if hasHeader && lineIndex == 0 {
                headerCells = (cellsBefore..<starts.count).map {
                    String(decoding: source[starts[$0]..<ends[$0]], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                }
                starts.removeAll(keepingCapacity: true)
                ends.removeAll(keepingCapacity: true)
            }
        }
        self.bytes = bytes
        self.header = headerCells
        self.columnCount = width ?? 0
        self.rowCount = lineRanges.count - firstData
        self.firstDataLine = firstData + 1
        self.cellStarts = starts
        self.cellEnds = ends
    }

    /// Checks the header equals `expected`, reporting the first differing column.
    func requireHeader(_ expected: [String]) throws(DataError) {
        let found = header ?? []
        for column in 0..<max(found.count, expected.count) {
            let want = column < expected.count ? expected[column] : "<end of line>"
            let got = column < found.count ? found[column] : "<end of line>"
            if want != got {
                throw .malformedCSV(file: file, line: 1, column: column + 1, reason: "expected header cell '\(want)', found '\(got)'")
            }
        }
    }

    /// The cell at data row `row`, column `column` (0-based) as a finite `Float`.
    func float(_ row: Int, _ column: Int) throws(DataError) -> Float {
        let cell = row * columnCount + column
        let start = cellStarts[cell]
        let end = cellEnds[cell]
        let parsed: Float? = bytes.withUnsafeBufferPointer { buffer -> Float? in
            guard let base = buffer.baseAddress, end > start else { return nil }
            let first = UnsafeRawPointer(base + start).assumingMemoryBound(to: CChar.self)
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtof(first, &stop)
            guard let stop else { return nil }
            var offset = UnsafeRawPointer(stop) - UnsafeRawPointer(base)
            while offset < end && (buffer[offset] == UInt8(ascii: " ") || buffer[offset] == UInt8(ascii: "\t")) { offset += 1 }
            return offset == end && UnsafeRawPointer(stop) != UnsafeRawPointer(first) && value.isFinite ? value : nil
        }
        guard let parsed else {
            throw .malformedCSV(
                file: file, line: firstDataLine + row, column: column + 1, reason: "expected a finite number, found '\(text(cell))'")
        }
        return parsed
    }

    /// The cell at data row `row`, column `column` (0-based) as an integer (an integral decimal
    /// such as `3.0` is accepted).
    func integer(_ row: Int, _ column: Int) throws(DataError) -> Int {
        let cell = row * columnCount + column
        let trimmed = text(cell).trimmingCharacters(in: .whitespaces)
        if let value = Int(trimmed) { return value }
        if let real = Double(trimmed), real.rounded() == real, abs(real) < 1e15 { return Int(real) }
        throw .malformedCSV(
            file: file, line: firstDataLine + row, column: column + 1, reason: "expected an integer, found '\(text(cell))'")
    }

    /// The 1-based line of data row `row`, for error locations.
    func line(ofRow row: Int) -> Int { firstDataLine + row }

    private func text(_ cell: Int) -> String {
        String(decoding: bytes[cellStarts[cell]..<cellEnds[cell]], as: UTF8.self)
    }
}
