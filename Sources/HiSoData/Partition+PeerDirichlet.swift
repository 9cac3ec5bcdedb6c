import HiSoKernels

extension Partition {
    /// The peer's Dirichlet split (DeComFL's `get_dirichlet_split_indexes` with
    /// `balance_approach=True`), which scales alpha by class frequency.
    ///
    /// 1. With class frequencies `f_c = n_c / n`, every client `k` draws a class profile
    ///    `q_k ~ Dir(alpha * f)` over the `C` classes (a `K x C` matrix, drawn client by client).
    /// 2. For every class `c`, its samples in ascending index order are cut by the normalised
    ///    cumulative column `Q_k = (q_1c + ... + q_kc) / (q_1c + ... + q_Kc)`: client `k` gets
    ///    `[floor(Q_{k-1} n_c), floor(Q_k n_c))`. If a whole column underflows to 0 (only for tiny
    ///    `alpha * f_c`), the class goes to one uniformly drawn client.
    /// 3. Balancing to `m = floor(n / K)` samples each: clients are visited in decreasing order of
    ///    their surplus `size - m` (ties: higher client index first); a client with a surplus
    ///    shuffles its samples and moves its last `surplus` ones to a pool; the pool is shuffled
    ///    once, before the first client with a deficit takes its missing samples from its front.
    ///
    /// Because every concentration is `alpha * f_c` (about `alpha / C`), this is much more skewed
    /// than the standard ``dirichlet(labels:classCount:clients:alpha:seed:minimumClientSize:maxAttempts:)``
    /// with the same alpha. Every client ends with exactly `m` samples and the `n mod K` samples
    /// left in the pool are unassigned (see ``unassigned``), as in the peer (its digits dir0.5
    /// partition assigns 1432 of 1437 rows). The random stream is ours, not NumPy's, so the split
    /// matches the peer's in distribution, not row for row.
    ///
    /// - Parameters:
    ///   - labels: one label per sample, in `0..<classCount`; every class must occur.
    ///   - classCount: number of classes `C`.
    ///   - clients: number of clients `K`, `1...labels.count`.
    ///   - alpha: the unscaled concentration, positive and finite.
    ///   - seed: the seed (generator stream `[3]`).
    /// - Throws: ``DataError`` for invalid arguments, out-of-range labels, or a class with no sample
    ///   (the peer rejects labels that are not exactly `0..<C`).
    /// - Complexity: O(n + K * C) time, O(n) memory.
    public static func peerDirichlet(
        labels: [Int32], classCount: Int, clients: Int, alpha: Double, seed: UInt64
    ) throws(DataError) -> Partition {
        let name = "peer-dirichlet(alpha: \(alpha), clients: \(clients), seed: \(seed))"
        let byClass = try dirichletClasses(labels: labels, classCount: classCount, clients: clients, alpha: alpha, partition: name)
        if let missing = byClass.firstIndex(where: { $0.isEmpty }) {
            throw .invalidArgument(
                name: "labels", value: "without class \(missing)", expected: "every class in 0..<\(classCount) present (the peer's requirement)")
        }
        let n = labels.count
        var generator = SeededGenerator(seed: seed, stream: [PartitionStream.peerDirichlet])
        let concentration = byClass.map { alpha * Double($0.count) / Double(n) }
        guard concentration.allSatisfy({ $0 > 0 }) else {
            throw .invalidArgument(name: "Dirichlet alpha", value: "\(alpha)", expected: "large enough that alpha * class frequency > 0")
        }
        let profiles = (0..<clients).map { _ in generator.nextDirichlet(concentration) }

        var assignment = [[Int]](repeating: [], count: clients)
        for (label, members) in byClass.enumerated() {
            let column = profiles.map { $0[label] }
            let total = column.reduce(0, +)
            if total > 0 {
                appendSlices(of: members, proportions: column.map { $0 / total }, to: &assignment)
            } else {
                assignment[generator.nextIndex(below: clients)].append(contentsOf: members)
            }
        }

        let target = n / clients
        let order = (0..<clients).sorted { a, b in
            let da = assignment[a].count - target
            let db = assignment[b].count - target
            return da != db ? da > db : a > b
        }
        var pool: [Int] = []
        var poolShuffled = false
        for client in order {
            let surplus = assignment[client].count - target
            if surplus > 0 {
                generator.shuffle(&assignment[client])
                pool.append(contentsOf: assignment[client].suffix(surplus))
                assignment[client].removeLast(surplus)
            } else if surplus < 0 {
                if !poolShuffled {
                    generator.shuffle(&pool)
                    poolShuffled = true
                }
                assignment[client].append(contentsOf: pool.prefix(-surplus))
                pool.removeFirst(-surplus)
            }
        }
        return try Partition(clients: assignment, sampleCount: n, name: name)
    }
}
