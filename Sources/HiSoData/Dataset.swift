/// An in-memory labelled data set: `count` samples of `featureCount` float features each.
///
/// Features are stored row-major as one flat `[Float]` of `count * featureCount` values (sample
/// `i` occupies `features[i * featureCount ..< (i + 1) * featureCount]`), which is the layout the
/// models' batched forward passes read directly. `featureShape` gives the logical per-sample shape
/// (`[1, 28, 28]` for Fashion-MNIST, `[64]` for digits); its product is `featureCount`.
///
/// Memory: `4 * count * (featureCount + 1)` bytes. Value semantics (copy-on-write arrays).
public struct Dataset: Sendable, Equatable {
    /// Row-major features, `count * featureCount` values.
    public let features: [Float]
    /// One label per sample, each in `0..<classCount`.
    public let labels: [Int32]
    /// Number of classes; labels lie in `0..<classCount`.
    public let classCount: Int
    /// Logical per-sample shape; its product is ``featureCount``.
    public let featureShape: [Int]
    /// A short human-readable name, e.g. `"fashion-mnist/train"`.
    public let name: String?
    /// Where the data came from (a path, or a description of the bundled resource).
    public let source: String?

    /// Number of samples.
    public var count: Int { labels.count }
    /// Number of features per sample, the product of ``featureShape``.
    public let featureCount: Int

    /// Creates a data set after checking that sizes and labels are consistent.
    ///
    /// - Parameters:
    ///   - features: row-major features, `labels.count * product(featureShape)` values.
    ///   - labels: one label per sample, each in `0..<classCount`.
    ///   - classCount: number of classes (at least 1).
    ///   - featureShape: logical per-sample shape, every entry at least 1.
    ///   - name: optional short name.
    ///   - source: optional origin (path or description).
    /// - Throws: ``DataError/dimensionMismatch(what:expected:found:)`` when the feature array
    ///   length disagrees with the shape, ``DataError/labelOutOfRange(file:location:label:classCount:)``
    ///   for a bad label, ``DataError/invalidArgument(name:value:expected:)`` for a bad shape.
    /// - Complexity: O(count) to validate the labels.
    public init(
        features: [Float], labels: [Int32], classCount: Int, featureShape: [Int],
        name: String? = nil, source: String? = nil
    ) throws(DataError) {
        guard classCount >= 1 else {
            throw .invalidArgument(name: "classCount", value: "\(classCount)", expected: "at least 1")
        }
        guard !featureShape.isEmpty, featureShape.allSatisfy({ $0 >= 1 }) else {
            throw .invalidArgument(name: "featureShape", value: "\(featureShape)", expected: "a non-empty shape of positive sizes")
        }
        var featureCount = 1
        for size in featureShape {
            let (product, overflow) = featureCount.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw .invalidArgument(name: "featureShape", value: "\(featureShape)", expected: "a shape whose product fits in Int")
            }
            featureCount = product
        }
        let (expected, overflow) = labels.count.multipliedReportingOverflow(by: featureCount)
        guard !overflow, features.count == expected else {
            throw .dimensionMismatch(
                what: "feature array length (\(labels.count) samples x \(featureCount) features)",
                expected: overflow ? Int.max : expected, found: features.count)
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            throw .labelOutOfRange(
                file: name ?? "dataset", location: "sample \(bad)", label: Int(labels[bad]), classCount: classCount)
        }
        self.init(
            trusted: features, labels: labels, classCount: classCount, featureShape: featureShape, name: name,
            source: source)
    }

    /// Creates a data set from arrays the caller has already validated (internal fast path).
    init(
        trusted features: [Float], labels: [Int32], classCount: Int, featureShape: [Int],
        name: String?, source: String?
    ) {
        let featureCount = featureShape.reduce(1, *)
        precondition(features.count == labels.count * featureCount, "internal: feature array length")
        self.features = features
        self.labels = labels
        self.classCount = classCount
        self.featureShape = featureShape
        self.featureCount = featureCount
        self.name = name
        self.source = source
    }

    /// The features of sample `index` as a slice of ``features`` (no copy).
    ///
    /// - Precondition: `index` is in `0..<count` (a programmer error otherwise).
    public func features(ofSample index: Int) -> ArraySlice<Float> {
        precondition(index >= 0 && index < count, "sample index \(index) out of 0..<\(count)")
        return features[index * featureCount ..< (index + 1) * featureCount]
    }

    /// Checks that each sample has `expected` features, e.g. a model's input width.
    ///
    /// - Throws: ``DataError/dimensionMismatch(what:expected:found:)`` naming the data set.
    public func requireFeatureCount(_ expected: Int) throws(DataError) {
        guard featureCount == expected else {
            throw .dimensionMismatch(
                what: "features per sample of \(name ?? "dataset") (model input vs data)",
                expected: expected, found: featureCount)
        }
    }
}
