extension ExperimentPlan {
    /// The `index`-th of `count` disjoint slices of a plan's runs (`--shard I/N`), for grids that
    /// outgrow one machine: run `i` of the plan belongs to shard `i % count + 1`, so the shards
    /// partition the grid and each gets every `count`-th run (a balanced mix of methods, rates
    /// and seeds).
    public struct Shard: Sendable, Equatable, CustomStringConvertible {
        /// 1-based shard index, `1 ... count`.
        public let index: Int
        /// The number of shards.
        public let count: Int

        /// The shard `index` of `count`, or `nil` unless `1 <= index <= count`.
        public init?(index: Int, count: Int) {
            guard count >= 1, (1...count).contains(index) else { return nil }
            self.index = index
            self.count = count
        }

        /// Parses `I/N`.
        public init?(_ text: String) {
            let parts = text.split(separator: "/")
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
            self.init(index: i, count: n)
        }

        /// `I/N`.
        public var description: String { "\(index)/\(count)" }

        /// Whether `run` is in this shard.
        public func contains(_ run: Run) -> Bool { run.index % count == index - 1 }
    }

    /// The runs of `shard` (all runs when `shard` is `nil`), in plan order.
    public func runs(in shard: Shard?) -> [Run] {
        guard let shard else { return runs }
        return runs.filter(shard.contains)
    }
}
