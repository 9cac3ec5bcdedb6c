import HiSoKernels

extension SST2Dataset {
    /// Splits off a validation set of `count` sentences chosen uniformly at random, before any
    /// client split, so that learning rates can be chosen without looking at the dev split.
    ///
    /// The rows are a seeded shuffle of `0..<self.count` by
    /// `SeededGenerator(seed: seed, stream: [0x5641_4C49])`: its first `count` indices form the
    /// validation set, the rest the training set, each kept in file order. The two sets are
    /// disjoint and together are `self`.
    ///
    /// - Parameters:
    ///   - count: sentences to hold out, `0 ..< self.count` (0 gives an empty validation set).
    ///   - seed: the seed of the choice.
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` when `count` leaves no
    ///   training sentence or is negative.
    /// - Complexity: O(n) time and memory for n sentences.
    public func holdout(count: Int, seed: UInt64) throws(TransformerError) -> (train: SST2Dataset, validation: SST2Dataset) {
        guard count >= 0, count < self.count else {
            throw .invalidArgument(name: "validation sentences", value: "\(count)", expected: "0..<\(self.count) (the training sentences)")
        }
        var order = Array(0..<self.count)
        var generator = SeededGenerator(seed: seed, stream: [0x5641_4C49])
        generator.shuffle(&order)
        var held = [Bool](repeating: false, count: self.count)
        for i in order.prefix(count) { held[i] = true }
        let trainRows = (0..<self.count).filter { !held[$0] }
        let validationRows = (0..<self.count).filter { held[$0] }
        return (subset(trainRows), subset(validationRows))
    }

    /// The sentences at `rows`, in the given order.
    private func subset(_ rows: [Int]) -> SST2Dataset {
        SST2Dataset(sentences: rows.map { sentences[$0] }, labels: rows.map { labels[$0] }, source: source)
    }
}
