import Foundation

extension Partition {
    /// Per-client label histograms: entry `[k][c]` counts client `k`'s samples with label `c`.
    ///
    /// - Parameters:
    ///   - labels: the labels of the partitioned data set (`sampleCount` entries in `0..<classCount`).
    ///   - classCount: number of classes.
    /// - Complexity: O(assigned samples); returns `clientCount * classCount` integers.
    public func labelHistograms(labels: [Int32], classCount: Int) -> [[Int]] {
        precondition(labels.count == sampleCount, "labels (\(labels.count)) must match the partition's sample count (\(sampleCount))")
        return clients.map { Dataset.classHistogram(labels: labels, classCount: classCount, indices: $0) }
    }

    /// Per-client label histograms of `dataset`, which must be the partitioned data set.
    ///
    /// - Throws: ``DataError/dimensionMismatch(what:expected:found:)`` if the sample counts differ.
    public func labelHistograms(of dataset: Dataset) throws(DataError) -> [[Int]] {
        try requireMatches(dataset)
        return labelHistograms(labels: dataset.labels, classCount: dataset.classCount)
    }

    /// Mean over clients of the Shannon entropy (nats) of each client's label distribution:
    /// `(1/K) sum_k -sum_c p_kc ln p_kc` with `p_kc = n_kc / n_k`.
    ///
    /// `ln(classCount)` for perfectly balanced clients, 0 when every client holds one class; the
    /// standard measure of label skew across Dirichlet alphas.
    ///
    /// - Complexity: O(assigned samples + clientCount * classCount).
    public func meanLabelEntropy(labels: [Int32], classCount: Int) -> Double {
        let histograms = labelHistograms(labels: labels, classCount: classCount)
        var total = 0.0
        for histogram in histograms {
            let n = Double(histogram.reduce(0, +))
            for count in histogram where count > 0 {
                let p = Double(count) / n
                total -= p * log(p)
            }
        }
        return total / Double(histograms.count)
    }

    /// Checks that `dataset` has ``sampleCount`` samples.
    ///
    /// - Throws: ``DataError/dimensionMismatch(what:expected:found:)``.
    public func requireMatches(_ dataset: Dataset) throws(DataError) {
        guard dataset.count == sampleCount else {
            throw .dimensionMismatch(
                what: "samples of \(dataset.name ?? "dataset") vs partition '\(name)'", expected: sampleCount, found: dataset.count)
        }
    }

    /// One ``Dataset`` per client, holding that client's samples.
    ///
    /// - Throws: ``DataError/dimensionMismatch(what:expected:found:)`` if the sample counts differ.
    /// - Complexity: O(assigned * featureCount); copies the assigned features once.
    public func clientDatasets(of dataset: Dataset) throws(DataError) -> [Dataset] {
        try requireMatches(dataset)
        var result: [Dataset] = []
        result.reserveCapacity(clientCount)
        for (client, indices) in clients.enumerated() {
            result.append(try dataset.subset(indices, name: "\(dataset.name ?? "dataset")/client\(client)"))
        }
        return result
    }
}
