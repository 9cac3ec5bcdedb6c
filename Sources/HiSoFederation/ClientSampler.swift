import HiSoKernels

/// Uniform sampling of `m` of `M` clients without replacement, seeded by (run seed, round).
///
/// The result is a pure function of `(seed, round, clients, sampled)`; it is sorted ascending so
/// that aggregation order does not depend on the draw order. Complexity: O(M).
public enum ClientSampler {
    /// The clients sampled in `round`.
    public static func sample(seed: UInt64, round: UInt64, clients: Int, sampled: Int) -> [Int] {
        precondition(sampled >= 1 && sampled <= clients, "cannot sample \(sampled) of \(clients) clients")
        if sampled == clients { return Array(0..<clients) }
        var ids = Array(0..<clients)
        var generator = SeededGenerator(seed: seed, stream: [0x5341_4D50_4C45, round])
        for i in 0..<sampled {
            let j = i + generator.nextIndex(below: clients - i)
            ids.swapAt(i, j)
        }
        return ids.prefix(sampled).sorted()
    }
}
