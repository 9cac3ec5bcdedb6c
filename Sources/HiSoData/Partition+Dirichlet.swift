import HiSoKernels

extension Partition {
    /// The standard Dirichlet label split (Hsu, Qi and Brown 2019; Yurochkin et al. 2019).
    ///
    /// For every class `c` independently: shuffle the class's sample indices, draw client
    /// proportions `p ~ Dir(alpha * 1_K)` over the `K` clients, and give client `k` the slice
    /// `[floor(P_{k-1} n_c), floor(P_k n_c))` of the shuffled indices, where `P_k = p_1 + ... + p_k`
    /// (`P_0 = 0`, and the last slice ends at `n_c`). Every sample is assigned exactly once.
    /// Small `alpha` gives few classes per client; large `alpha` approaches IID.
    ///
    /// Re-draw policy: if any client ends with fewer than `minimumClientSize` samples, the whole
    /// split is drawn again from the continuing generator (so it stays a pure function of the
    /// seed), at most `maxAttempts` times; then ``DataError/emptyClient(client:clientCount:partition:)``
    /// is thrown for the first client that is too small.
    ///
    /// - Parameters:
    ///   - labels: one label per sample, in `0..<classCount`.
    ///   - classCount: number of classes.
    ///   - clients: number of clients `K`, `1...labels.count`.
    ///   - alpha: concentration, positive and finite.
    ///   - seed: the seed (generator stream `[2]`).
    ///   - minimumClientSize: smallest acceptable client, at least 1.
    ///   - maxAttempts: how many draws to try.
    /// - Throws: ``DataError`` for invalid arguments, out-of-range labels, or a client that stays
    ///   too small after `maxAttempts` draws.
    /// - Complexity: O(attempts * (n + classCount * K)) time; O(n) memory.
    public static func dirichlet(
        labels: [Int32], classCount: Int, clients: Int, alpha: Double, seed: UInt64,
        minimumClientSize: Int = 1, maxAttempts: Int = 100
    ) throws(DataError) -> Partition {
        let name = "dirichlet(alpha: \(alpha), clients: \(clients), seed: \(seed))"
        let byClass = try dirichletClasses(labels: labels, classCount: classCount, clients: clients, alpha: alpha, partition: name)
        guard minimumClientSize >= 1, minimumClientSize * clients <= labels.count else {
            throw .invalidArgument(
                name: "minimum client size", value: "\(minimumClientSize)", expected: "1...\(labels.count / clients) for \(clients) clients")
        }
        guard maxAttempts >= 1 else {
            throw .invalidArgument(name: "maximum attempts", value: "\(maxAttempts)", expected: "at least 1")
        }
        var generator = SeededGenerator(seed: seed, stream: [PartitionStream.dirichlet])
        let alphas = [Double](repeating: alpha, count: clients)
        var assignment: [[Int]] = []
        for _ in 0..<maxAttempts {
            assignment = [[Int]](repeating: [], count: clients)
            for var members in byClass {
                generator.shuffle(&members)
                let proportions = generator.nextDirichlet(alphas)
                appendSlices(of: members, proportions: proportions, to: &assignment)
            }
            if assignment.allSatisfy({ $0.count >= minimumClientSize }) { break }
        }
        if let small = assignment.firstIndex(where: { $0.count < minimumClientSize }) {
            throw .emptyClient(client: small, clientCount: clients, partition: name + " after \(maxAttempts) draws")
        }
        return try Partition(clients: assignment, sampleCount: labels.count, name: name)
    }

    /// Splits `members` among clients by cumulative `proportions`:
    /// client `k` gets `members[floor(P_{k-1} n) ..< floor(P_k n)]`, the last slice ending at `n`.
    static func appendSlices(of members: [Int], proportions: [Double], to assignment: inout [[Int]]) {
        let n = members.count
        var cumulative = 0.0
        var start = 0
        for k in proportions.indices {
            cumulative += proportions[k]
            let end = k == proportions.count - 1 ? n : min(n, Int((cumulative * Double(n)).rounded(.down)))
            if end > start {
                assignment[k].append(contentsOf: members[start..<end])
                start = end
            }
        }
    }

    /// Validates the client count and alpha of a Dirichlet split, then groups sample indices by class.
    static func dirichletClasses(
        labels: [Int32], classCount: Int, clients: Int, alpha: Double, partition: String
    ) throws(DataError) -> [[Int]] {
        guard clients >= 1 && clients <= labels.count else {
            throw .invalidArgument(name: "client count", value: "\(clients)", expected: "1...\(labels.count) (the sample count)")
        }
        guard alpha > 0 && alpha.isFinite else {
            throw .invalidArgument(name: "Dirichlet alpha", value: "\(alpha)", expected: "a positive finite number")
        }
        return try indicesByClass(labels: labels, classCount: classCount, context: partition)
    }

    /// Groups sample indices by class, ascending within a class.
    ///
    /// - Throws: ``DataError/invalidArgument(name:value:expected:)`` for `classCount < 1`,
    ///   ``DataError/labelOutOfRange(file:location:label:classCount:)`` naming `context` and the sample.
    static func indicesByClass(labels: [Int32], classCount: Int, context: String) throws(DataError) -> [[Int]] {
        guard classCount >= 1 else {
            throw .invalidArgument(name: "class count", value: "\(classCount)", expected: "at least 1")
        }
        var byClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() {
            guard label >= 0 && Int(label) < classCount else {
                throw .labelOutOfRange(file: context, location: "sample \(index)", label: Int(label), classCount: classCount)
            }
            byClass[Int(label)].append(index)
        }
        return byClass
    }
}
