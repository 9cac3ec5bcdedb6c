import Foundation

extension DigitsDataset {
    /// The peer's client partitions shipped beside its reference digits data.
    public enum ReferencePartition: String, Sendable, CaseIterable {
        /// `digits_partition_iid.csv`: 8 clients of 179-180 rows.
        case iid
        /// `digits_partition_dir0.5.csv`: the peer's `dirichlet_split` with alpha 0.5 (8 x 179 rows).
        case dirichlet0_5 = "dir0.5"

        /// The file name inside the reference directory.
        public var fileName: String { "digits_partition_\(rawValue).csv" }
    }

    /// The peer's reference split read from `directory` (a `--data-dir` style path):
    /// `digits_train.csv` (1437 rows) and `digits_test.csv` (360 rows), header `label,f0..f63`,
    /// already standardised with the train mean/std, so no transform is applied.
    ///
    /// - Parameter directory: the directory holding the two CSV files.
    /// - Throws: ``DataError`` for a missing file, a bad header, a malformed cell (line and column)
    ///   or a label out of range.
    /// - Complexity: O(file size).
    public static func reference(directory: URL) throws(DataError) -> TrainTestSplit {
        TrainTestSplit(
            train: try referenceFile(directory.appendingPathComponent("digits_train.csv"), name: "digits-reference/train"),
            test: try referenceFile(directory.appendingPathComponent("digits_test.csv"), name: "digits-reference/test"))
    }

    /// One of the peer's client partitions of the reference train set (1437 rows, 8 clients).
    ///
    /// - Parameters:
    ///   - kind: which partition file.
    ///   - directory: the reference directory.
    ///   - sampleCount: the size of the train set it indexes (default 1437).
    /// - Throws: as ``Partition/file(_:sampleCount:clientCount:)``.
    public static func referencePartition(
        _ kind: ReferencePartition, directory: URL, sampleCount: Int = 1437
    ) throws(DataError) -> Partition {
        try Partition.file(directory.appendingPathComponent(kind.fileName), sampleCount: sampleCount)
    }

    /// Reads one `label,f0..f63` file.
    static func referenceFile(_ url: URL, name: String) throws(DataError) -> Dataset {
        let table = try CSVFile(contentsOf: url, hasHeader: true)
        try table.requireHeader(["label"] + (0..<featureCount).map { "f\($0)" })
        return try dataset(from: table, labelColumn: 0, featureColumns: 1..<(featureCount + 1), name: name, source: url.path)
    }
}
