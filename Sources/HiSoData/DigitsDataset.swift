import Foundation
import HiSoKernels

/// The scikit-learn digits set: 1,797 grey-scale 8x8 images of handwritten digits, pixel values
/// 0...16, 10 classes (about 180 each).
///
/// Origin: the test part of the UCI "Optical Recognition of Handwritten Digits" data (E. Alpaydin
/// and C. Kaynak, 1998), as bundled with scikit-learn 1.9.1 in
/// `sklearn/datasets/data/digits.csv.gz` (BSD 3-Clause licence, copyright the scikit-learn
/// developers). It ships in this module as `Resources/digits.csv` (64 pixel columns then the
/// label, no header); the documentation article "Digits data: source and licence" (`HiSoData.docc/DigitsDataSource.md`) holds the licence text.
///
/// Features have shape `[64]` (row-major 8x8).
public enum DigitsDataset {
    /// Number of classes.
    public static let classCount = 10
    /// Number of features per sample (8x8 pixels).
    public static let featureCount = 64
    /// Number of samples in the full set.
    public static let sampleCount = 1797

    /// The full bundled set with raw pixel values 0...16, in the file's order.
    ///
    /// - Throws: ``DataError`` if the bundled resource is missing or malformed (a packaging error).
    /// - Complexity: O(1797 * 65) parse.
    public static func raw() throws(DataError) -> Dataset {
        guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv") else {
            throw .unreadable(file: "HiSoData bundle: digits.csv", reason: "resource missing from the package bundle")
        }
        let table = try CSVFile(contentsOf: url, hasHeader: false)
        guard table.columnCount == featureCount + 1 else {
            throw .dimensionMismatch(what: "columns of \(url.path)", expected: featureCount + 1, found: table.columnCount)
        }
        return try dataset(from: table, labelColumn: featureCount, featureColumns: 0..<featureCount, name: "digits", source: url.path)
    }

    /// The bundled set split 80/20 and standardised: the default data of the `hiso` command.
    ///
    /// Split: stratified by class; the test set has `ceil(testFraction * 1797)` samples (360 for
    /// 0.2, like scikit-learn's `train_test_split`), allocated to classes proportionally to class
    /// size (largest remainders first, ties to the lower class); within each class the test
    /// samples are the first of a seeded shuffle. Both halves keep the file's order.
    /// Standardisation: ``FeatureStandardizer`` fitted on the train half only,
    /// `z = (x - mean_train) / std_train` per pixel (`std = 1` for constant pixels), applied to both.
    ///
    /// - Parameters:
    ///   - seed: the split's seed (generator stream `[4]`).
    ///   - testFraction: the test share, in `(0, 1)`.
    /// - Throws: ``DataError/invalidArgument(name:value:expected:)`` for a bad fraction.
    /// - Complexity: O(1797 * 64).
    public static func builtIn(seed: UInt64 = 0, testFraction: Double = 0.2) throws(DataError) -> TrainTestSplit {
        let all = try raw()
        let (trainIndices, testIndices) = try stratifiedSplit(
            labels: all.labels, classCount: classCount, testFraction: testFraction, seed: seed)
        let train = try all.subset(trainIndices, name: "digits/train")
        let test = try all.subset(testIndices, name: "digits/test")
        let standardizer = FeatureStandardizer(fitting: train)
        return TrainTestSplit(train: try standardizer.apply(to: train), test: try standardizer.apply(to: test))
    }

    /// A seeded stratified split of sample indices into train and test (both ascending).
    ///
    /// - Parameters:
    ///   - labels: labels in `0..<classCount`.
    ///   - classCount: number of classes.
    ///   - testFraction: test share in `(0, 1)`; the test size is `ceil(testFraction * n)`.
    ///   - seed: the seed (generator stream `[4]`).
    /// - Throws: ``DataError/invalidArgument(name:value:expected:)`` when either side would be empty.
    /// - Complexity: O(n).
    public static func stratifiedSplit(
        labels: [Int32], classCount: Int, testFraction: Double, seed: UInt64
    ) throws(DataError) -> (train: [Int], test: [Int]) {
        let n = labels.count
        let testCount = Int((testFraction * Double(n)).rounded(.up))
        guard testFraction > 0, testFraction < 1, testCount >= 1, testCount < n else {
            throw .invalidArgument(name: "test fraction", value: "\(testFraction)", expected: "in (0, 1) leaving both splits non-empty for \(n) samples")
        }
        let byClass = try Partition.indicesByClass(labels: labels, classCount: classCount, context: "stratified split")
        let exact = byClass.map { Double($0.count) * Double(testCount) / Double(n) }
        var perClass = exact.map { Int($0.rounded(.down)) }
        let byRemainder = perClass.indices.sorted { a, b in
            let ra = exact[a] - Double(perClass[a])
            let rb = exact[b] - Double(perClass[b])
            return ra != rb ? ra > rb : a < b
        }
        for c in byRemainder.prefix(testCount - perClass.reduce(0, +)) { perClass[c] += 1 }
        var generator = SeededGenerator(seed: seed, stream: [PartitionStream.split])
        var train: [Int] = []
        var test: [Int] = []
        for (c, members) in byClass.enumerated() {
            var shuffled = members
            generator.shuffle(&shuffled)
            test.append(contentsOf: shuffled.prefix(perClass[c]))
            train.append(contentsOf: shuffled.dropFirst(perClass[c]))
        }
        return (train.sorted(), test.sorted())
    }

    /// Builds a data set from CSV rows, validating labels (with their line and column).
    static func dataset(
        from table: CSVFile, labelColumn: Int, featureColumns: Range<Int>, name: String, source: String
    ) throws(DataError) -> Dataset {
        var features = [Float]()
        features.reserveCapacity(table.rowCount * featureColumns.count)
        var labels = [Int32]()
        labels.reserveCapacity(table.rowCount)
        for row in 0..<table.rowCount {
            let label = try table.integer(row, labelColumn)
            guard label >= 0 && label < classCount else {
                throw .labelOutOfRange(
                    file: table.file, location: "line \(table.line(ofRow: row)), column \(labelColumn + 1)",
                    label: label, classCount: classCount)
            }
            labels.append(Int32(label))
            for column in featureColumns { features.append(try table.float(row, column)) }
        }
        return try Dataset(
            features: features, labels: labels, classCount: classCount, featureShape: [featureColumns.count],
            name: name, source: source)
    }
}
