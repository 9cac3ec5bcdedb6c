/// Per-feature standardisation `z_ij = (x_ij - mean_j) / scale_j`, fitted on a training set.
///
/// `mean_j` and `scale_j` are the population mean and standard deviation (ddof = 0) of feature
/// `j` over the fitting set; a constant feature (`std_j == 0`) gets `scale_j = 1`, as in
/// scikit-learn's `StandardScaler`, so it maps to 0 instead of NaN. Fit on the train split only
/// and apply the same transform to the test split.
///
/// Memory: two arrays of `featureCount` floats.
public struct FeatureStandardizer: Sendable, Equatable {
    /// Per-feature means of the fitting set.
    public let mean: [Float]
    /// Per-feature divisors: the standard deviation, or 1 for a constant feature.
    public let scale: [Float]

    /// Fits the transform on `dataset` (float64 accumulation).
    ///
    /// - Complexity: O(count * featureCount).
    public init(fitting dataset: Dataset) {
        let (mean, std) = dataset.featureMoments()
        self.mean = mean.map { Float($0) }
        self.scale = std.map { $0 > 0 ? Float($0) : 1 }
    }

    /// Returns `dataset` with every feature standardised by this transform.
    ///
    /// - Throws: ``DataError/dimensionMismatch(what:expected:found:)`` when the feature counts differ.
    /// - Complexity: O(count * featureCount); allocates the new feature array once.
    public func apply(to dataset: Dataset) throws(DataError) -> Dataset {
        let width = mean.count
        try dataset.requireFeatureCount(width)
        var out = dataset.features
        out.withUnsafeMutableBufferPointer { x in
            mean.withUnsafeBufferPointer { m in
                scale.withUnsafeBufferPointer { s in
                    for row in 0..<dataset.count {
                        for j in 0..<width { x[row * width + j] = (x[row * width + j] - m[j]) / s[j] }
                    }
                }
            }
        }
        return Dataset(
            trusted: out, labels: dataset.labels, classCount: dataset.classCount,
            featureShape: dataset.featureShape, name: dataset.name, source: dataset.source)
    }
}
