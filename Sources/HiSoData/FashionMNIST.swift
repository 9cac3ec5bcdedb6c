import Foundation

/// Fashion-MNIST (Xiao, Rasul and Vollgraf 2017; MIT licence): 28x28 grey-scale clothing images
/// in 10 balanced classes, 60,000 train and 10,000 test.
///
/// Install on Debian/Ubuntu with `apt-get install dataset-fashion-mnist` (or run
/// `Utils/bootstrap`); the four gzip-compressed IDX files then live in ``defaultDirectory``.
/// Any directory holding the same four file names (plain or `.gz`) works.
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` package installs the files.
    public static let defaultDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist", isDirectory: true)
    /// Number of classes.
    public static let classCount = 10
    /// Mean of the train pixels scaled to 0...1 (raw mean 72.94 / 255).
    public static let pixelMean: Float = 0.2860
    /// Standard deviation of the train pixels scaled to 0...1.
    public static let pixelStd: Float = 0.3530
    /// The class names, indexed by label.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Which half of the data set.
    public enum Split: String, Sendable, CaseIterable {
        /// The 60,000 training images.
        case train
        /// The 10,000 test images.
        case test

        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// Loads one split as a ``Dataset`` of shape `[1, 28, 28]`.
    ///
    /// Looks for `<prefix>-images-idx3-ubyte.gz` then `<prefix>-images-idx3-ubyte` (and the same
    /// for labels) in `directory`, where the prefix is `train` or `t10k`.
    ///
    /// - Parameters:
    ///   - split: train or test.
    ///   - directory: the directory with the IDX files; defaults to ``defaultDirectory``.
    ///   - normalization: pixel transform, default ``PixelNormalization/fashionMNIST``
    ///     (`(x/255 - 0.2860) / 0.3530`).
    /// - Throws: ``DataError/unreadable(file:reason:)`` if a file is missing (the message says how
    ///   to install the package), or any IDX reader error.
    /// - Complexity: O(pixels); memory: 188 MB of floats for train, 31 MB for test, plus the bytes
    ///   while decoding.
    public static func load(
        split: Split, directory: URL = defaultDirectory, normalization: PixelNormalization = .fashionMNIST
    ) throws(DataError) -> Dataset {
        let images = try locate(directory, "\(split.filePrefix)-images-idx3-ubyte")
        let labels = try locate(directory, "\(split.filePrefix)-labels-idx1-ubyte")
        return try IDX.loadDataset(
            images: images, labels: labels, classCount: classCount, normalization: normalization,
            name: "fashion-mnist/\(split.rawValue)")
    }

    /// Loads both splits with the same normalisation.
    ///
    /// - Throws: as ``load(split:directory:normalization:)``, or
    ///   ``DataError/dimensionMismatch(what:expected:found:)`` when the test images' size differs
    ///   from the train images'.
    public static func load(
        directory: URL = defaultDirectory, normalization: PixelNormalization = .fashionMNIST
    ) throws(DataError) -> TrainTestSplit {
        let train = try load(split: .train, directory: directory, normalization: normalization)
        let test = try load(split: .test, directory: directory, normalization: normalization)
        guard test.featureCount == train.featureCount else {
            throw .dimensionMismatch(
                what: "pixels per image of \(test.source ?? "test") vs the train images", expected: train.featureCount,
                found: test.featureCount)
        }
        return TrainTestSplit(train: train, test: test)
    }

    /// Reads and checks the four IDX files without converting pixels: magic numbers,
    /// dimensions, payload sizes, labels below ``classCount``, and as many labels as images.
    ///
    /// - Parameter directory: the directory with the IDX files.
    /// - Returns: the image count of each split and the image size.
    /// - Throws: ``DataError`` naming the missing or corrupt file.
    /// - Complexity: O(file sizes); memory: one file's bytes at a time (47 MB for the train images).
    public static func validate(directory: URL = defaultDirectory) throws(DataError) -> (train: Int, test: Int, rows: Int, columns: Int) {
        var counts: [Int] = []
        var size: (rows: Int, columns: Int)?
        for split in Split.allCases {
            let imagesFile = try locate(directory, "\(split.filePrefix)-images-idx3-ubyte")
            let labelsFile = try locate(directory, "\(split.filePrefix)-labels-idx1-ubyte")
            let images = try IDX.readImages(imagesFile)
            let labels = try IDX.readLabels(labelsFile, classCount: classCount)
            guard labels.count == images.count else {
                throw .countMismatch(imagesFile: imagesFile.path, images: images.count, labelsFile: labelsFile.path, labels: labels.count)
            }
            if let size, size != (images.rows, images.columns) {
                throw .dimensionMismatch(
                    what: "pixels per image of \(imagesFile.path) vs the train images", expected: size.rows * size.columns,
                    found: images.rows * images.columns)
            }
            size = (images.rows, images.columns)
            counts.append(images.count)
        }
        return (counts[0], counts[1], size?.rows ?? 0, size?.columns ?? 0)
    }

    /// Whether the four files are present in `directory` (plain or `.gz`).
    public static func isAvailable(in directory: URL = defaultDirectory) -> Bool {
        Split.allCases.allSatisfy { split in
            ["images-idx3-ubyte", "labels-idx1-ubyte"].allSatisfy { (try? locate(directory, "\(split.filePrefix)-\($0)")) != nil }
        }
    }

    private static func locate(_ directory: URL, _ base: String) throws(DataError) -> URL {
        for name in [base + ".gz", base] {
            let url = directory.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw .unreadable(
            file: directory.appendingPathComponent(base + ".gz").path,
            reason: "not found (install Debian's dataset-fashion-mnist with Utils/bootstrap, or pass a directory holding the IDX files)")
    }
}
