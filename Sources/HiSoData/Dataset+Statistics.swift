extension Dataset {
    /// The number of samples of each class: entry `c` counts labels equal to `c`.
    ///
    /// - Complexity: O(count); returns an array of `classCount` entries.
    public func classHistogram() -> [Int] {
        Dataset.classHistogram(labels: labels, classCount: classCount)
    }

    /// The number of samples of each class among `labels[indices]` (all labels when `nil`).
    ///
    /// - Precondition: labels lie in `0..<classCount` and indices in `labels.indices`.
    /// - Complexity: O(indices.count); returns an array of `classCount` entries.
    public static func classHistogram(labels: [Int32], classCount: Int, indices: [Int]? = nil) -> [Int] {
        var histogram = [Int](repeating: 0, count: classCount)
        if let indices {
            for index in indices { histogram[Int(labels[index])] += 1 }
        } else {
            for label in labels { histogram[Int(label)] += 1 }
        }
        return histogram
    }

    /// Per-feature mean and population standard deviation over all samples, in float64.
    ///
    /// Two passes: `mean_j = (1/n) sum_i x_ij`, then `std_j = sqrt((1/n) sum_i (x_ij - mean_j)^2)`
    /// (ddof = 0, like scikit-learn's `StandardScaler`). An empty data set gives zeros.
    ///
    /// - Complexity: O(count * featureCount); allocates two arrays of `featureCount` doubles.
    public func featureMoments() -> (mean: [Double], std: [Double]) {
        let width = featureCount
        var mean = [Double](repeating: 0, count: width)
        var variance = [Double](repeating: 0, count: width)
        guard count > 0 else { return (mean, variance) }
        let n = Double(count)
        features.withUnsafeBufferPointer { x in
            for row in 0..<count {
                for j in 0..<width { mean[j] += Double(x[row * width + j]) }
            }
            for j in 0..<width { mean[j] /= n }
            for row in 0..<count {
                for j in 0..<width {
                    let d = Double(x[row * width + j]) - mean[j]
                    variance[j] += d * d
                }
            }
        }
        return (mean, variance.map { ($0 / n).squareRoot() })
    }
}
