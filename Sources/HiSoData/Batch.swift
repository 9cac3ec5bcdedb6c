/// A reusable mini-batch buffer: up to `capacity` samples of `featureCount` features.
///
/// ``ClientBatcher/next(into:)`` fills it in place, so a training loop allocates it once and
/// never again. Only the first ``count`` rows are valid (the last batch of an epoch may be
/// partial); the rows after them hold stale data.
///
/// Memory: `4 * capacity * (featureCount + 1)` bytes.
public struct Batch: Sendable {
    /// Row-major features, `capacity * featureCount` floats; rows `0..<count` are valid.
    public private(set) var features: [Float]
    /// Labels, `capacity` entries; entries `0..<count` are valid.
    public private(set) var labels: [Int32]
    /// The sample indices (into the data set) of the valid rows, `capacity` entries.
    public private(set) var sampleIndices: [Int]
    /// Number of valid rows.
    public private(set) var count: Int
    /// Maximum number of rows.
    public let capacity: Int
    /// Features per row.
    public let featureCount: Int

    /// Allocates an empty batch.
    ///
    /// - Precondition: `capacity >= 1`, `featureCount >= 1`.
    public init(capacity: Int, featureCount: Int) {
        precondition(capacity >= 1 && featureCount >= 1, "batch capacity and feature count must be positive")
        self.capacity = capacity
        self.featureCount = featureCount
        features = [Float](repeating: 0, count: capacity * featureCount)
        labels = [Int32](repeating: 0, count: capacity)
        sampleIndices = [Int](repeating: 0, count: capacity)
        count = 0
    }

    /// Copies the rows `indices` of `dataset` into the buffer, with no allocation.
    ///
    /// - Precondition: `indices.count <= capacity`, the feature counts agree, indices are valid.
    /// - Complexity: O(indices.count * featureCount).
    mutating func fill(from dataset: Dataset, indices: ArraySlice<Int>) {
        precondition(indices.count <= capacity && dataset.featureCount == featureCount, "batch does not fit")
        let width = featureCount
        dataset.features.withUnsafeBufferPointer { source in
            features.withUnsafeMutableBufferPointer { destination in
                guard let src = source.baseAddress, let dst = destination.baseAddress else { return }
                for (row, index) in indices.enumerated() {
                    (dst + row * width).update(from: src + index * width, count: width)
                }
            }
        }
        labels.withUnsafeMutableBufferPointer { out in
            for (row, index) in indices.enumerated() { out[row] = dataset.labels[index] }
        }
        sampleIndices.withUnsafeMutableBufferPointer { out in
            for (row, index) in indices.enumerated() { out[row] = index }
        }
        count = indices.count
    }
}
