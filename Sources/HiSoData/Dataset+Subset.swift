extension Dataset {
    /// A new data set holding the samples at `indices`, in that order (repeats allowed).
    ///
    /// - Parameters:
    ///   - indices: sample indices in `0..<count`.
    ///   - name: name of the result; defaults to this data set's name.
    /// - Throws: ``DataError/invalidAssignment(partition:location:index:sampleCount:reason:)`` for
    ///   an index outside `0..<count`.
    /// - Complexity: O(indices.count * featureCount); allocates the result once.
    public func subset(_ indices: [Int], name: String? = nil) throws(DataError) -> Dataset {
        if let position = indices.firstIndex(where: { $0 < 0 || $0 >= count }) {
            throw .invalidAssignment(
                partition: "subset of \(self.name ?? "dataset")", location: "position \(position)",
                index: indices[position], sampleCount: count, reason: "out of range")
        }
        let width = featureCount
        let newFeatures = [Float](unsafeUninitializedCapacity: indices.count * width) { buffer, initialized in
            features.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    let from = UnsafeBufferPointer(rebasing: source[index * width ..< (index + 1) * width])
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[row * width ..< (row + 1) * width])
                        .initialize(fromContentsOf: from)
                }
            }
            initialized = indices.count * width
        }
        let newLabels = indices.map { labels[$0] }
        return Dataset(
            trusted: newFeatures, labels: newLabels, classCount: classCount, featureShape: featureShape,
            name: name ?? self.name, source: source)
    }
}
