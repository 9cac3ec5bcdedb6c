import Foundation

/// A GLUE SST-2 split read from its TSV file: a header line, then one `label<TAB>text` row per
/// sentence (columns found by name, in any order).
///
/// The text column is `sentence` (GLUE train) or `content` (the dev and test files of
/// Data/sst2 in the repository); with exactly two columns, the non-label one is taken whatever its name.
/// Labels are 0 (negative) or 1 (positive).
/// Memory: the sentences as Swift strings (about 4 MB for the 67,349 training rows).
public struct SST2Dataset: Sendable, Equatable {
    /// The sentences, in file order.
    public let sentences: [String]
    /// One label per sentence, 0 or 1.
    public let labels: [Int32]
    /// The file the split was read from.
    public let source: String

    /// The number of sentences.
    public var count: Int { sentences.count }
    /// SST-2 has two classes.
    public static let classCount = 2

    /// Reads one TSV file.
    ///
    /// - Throws: ``TransformerError/missingFile(file:hint:)``, ``TransformerError/unreadable(file:reason:)``,
    ///   ``TransformerError/badTSV(file:line:reason:)`` for a missing column, a row with the wrong
    ///   number of fields or a label other than 0 or 1.
    /// - Complexity: O(file size).
    public init(contentsOf url: URL) throws(TransformerError) {
        let file = url.path
        let lines = try TextLines.read(url, hint: "give the directory of a GLUE SST-2 copy (train.tsv, dev.tsv)")
        guard let header = lines.first else { throw .badTSV(file: file, line: 1, reason: "empty file: expected a header line") }
        let columns = Self.fields(header)
        guard let labelColumn = columns.firstIndex(of: "label") else {
            throw .badTSV(file: file, line: 1, reason: "no 'label' column in header \(columns)")
        }
        let textColumn = columns.firstIndex(of: "sentence") ?? columns.firstIndex(of: "content")
            ?? (columns.count == 2 ? 1 - labelColumn : nil)
        guard let textColumn else {
            throw .badTSV(file: file, line: 1, reason: "no 'sentence' or 'content' column in header \(columns)")
        }
        var sentences: [String] = []
        var labels: [Int32] = []
        sentences.reserveCapacity(lines.count - 1)
        labels.reserveCapacity(lines.count - 1)
        for (index, line) in lines.enumerated().dropFirst() {
            let fields = Self.fields(line)
            guard fields.count == columns.count else {
                throw .badTSV(file: file, line: index + 1, reason: "expected \(columns.count) tab-separated fields, found \(fields.count)")
            }
            guard let label = Int32(fields[labelColumn]), label == 0 || label == 1 else {
                throw .badTSV(file: file, line: index + 1, reason: "label '\(fields[labelColumn])' is not 0 or 1")
            }
            sentences.append(fields[textColumn])
            labels.append(label)
        }
        self.sentences = sentences
        self.labels = labels
        source = file
    }

    /// Reads `split`.tsv (`train`, `dev` or `test`) from a GLUE SST-2 directory.
    ///
    /// - Throws: as ``init(contentsOf:)``.
    public init(directory: URL, split: String) throws(TransformerError) {
        try self.init(contentsOf: directory.appendingPathComponent("\(split).tsv"))
    }

    /// The first `limit` sentences (all when `limit >= count`).
    public func prefix(_ limit: Int) -> SST2Dataset {
        SST2Dataset(sentences: Array(sentences.prefix(limit)), labels: Array(labels.prefix(limit)), source: source)
    }

    init(sentences: [String], labels: [Int32], source: String) {
        self.sentences = sentences
        self.labels = labels
        self.source = source
    }

    /// Tab-separated fields of one line.
    private static func fields(_ line: String) -> [String] {
        line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
}
