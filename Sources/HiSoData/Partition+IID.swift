import HiSoKernels

extension Partition {
    /// An IID partition: a seeded uniform permutation of `0..<sampleCount` cut into `clients`
    /// contiguous chunks of sizes `ceil` or `floor` of `sampleCount / clients` (the first
    /// `sampleCount % clients` clients get one more). Every sample is assigned exactly once.
    ///
    /// - Parameters:
    ///   - sampleCount: the number of samples.
    ///   - clients: the number of clients, `1...sampleCount`.
    ///   - seed: the seed; the permutation is `SeededGenerator(seed:, stream: [1])`'s Fisher–Yates shuffle.
    /// - Throws: ``DataError/invalidArgument(name:value:expected:)`` when `clients` is out of range.
    /// - Complexity: O(sampleCount).
    public static func iid(sampleCount: Int, clients: Int, seed: UInt64) throws(DataError) -> Partition {
        guard clients >= 1 && clients <= sampleCount else {
            throw .invalidArgument(name: "client count", value: "\(clients)", expected: "1...\(sampleCount) (the sample count)")
        }
        var order = Array(0..<sampleCount)
        var generator = SeededGenerator(seed: seed, stream: [PartitionStream.iid])
        generator.shuffle(&order)
        var result: [[Int]] = []
        var start = 0
        for client in 0..<clients {
            let size = sampleCount / clients + (client < sampleCount % clients ? 1 : 0)
            result.append(Array(order[start ..< start + size]))
            start += size
        }
        return try Partition(clients: result, sampleCount: sampleCount, name: "iid(clients: \(clients), seed: \(seed))")
    }

    /// An IID partition of `labels.count` samples (labels are not used; provided for symmetry).
    ///
    /// - Throws: as ``iid(sampleCount:clients:seed:)``.
    public static func iid(labels: [Int32], clients: Int, seed: UInt64) throws(DataError) -> Partition {
        try iid(sampleCount: labels.count, clients: clients, seed: seed)
    }
}

/// Stream identifiers that keep the partition generators independent of each other and of the
/// batchers for the same seed.
enum PartitionStream {
    static let iid: UInt64 = 1
    static let dirichlet: UInt64 = 2
    static let peerDirichlet: UInt64 = 3
    static let split: UInt64 = 4
    static let batches: UInt64 = 5
}
