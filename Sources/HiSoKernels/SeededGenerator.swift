/// A small, fast, seeded pseudo-random generator (xoshiro256**) for data shuffling and partitions.
///
/// The 256-bit state is filled from the seed words by SplitMix64, so any `(seed, streams...)`
/// tuple gives an independent, reproducible stream: `SeededGenerator(seed: s, stream: [client, epoch])`.
/// The output is a pure function of the seed words and the calls made, on every platform and
/// Swift version (the bounded and floating-point helpers here are implemented explicitly rather
/// than through the standard library's unspecified algorithms).
///
/// Memory: 32 bytes. Not thread-safe; give each task its own generator.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator for `seed` and optional sub-stream identifiers (client, epoch, ...).
    ///
    /// - Parameters:
    ///   - seed: the run's seed.
    ///   - stream: further words that select an independent stream, mixed in order.
    public init(seed: UInt64, stream: [UInt64] = []) {
        var key = SeededGenerator.root(seed)
        for word in stream { key = SeededGenerator.mix(key, word) }
        (s0, s1, s2, s3) = SeededGenerator.expand(key)
    }

    /// The same stream as `init(seed: seed, stream: [a, b, c])`, without allocating an array
    /// (used at every epoch boundary of `HiSoData.ClientBatcher`).
    public init(seed: UInt64, _ a: UInt64, _ b: UInt64, _ c: UInt64) {
        let key = SeededGenerator.mix(SeededGenerator.mix(SeededGenerator.mix(SeededGenerator.root(seed), a), b), c)
        (s0, s1, s2, s3) = SeededGenerator.expand(key)
    }

    private static func root(_ seed: UInt64) -> UInt64 {
        var mixer = SplitMix64(seed: seed)
        return mixer.next()
    }

    private static func mix(_ key: UInt64, _ word: UInt64) -> UInt64 {
        var inner = SplitMix64(seed: key ^ (word &* 0x9E37_79B9_7F4A_7C15))
        return inner.next() ^ inner.next()
    }

    private static func expand(_ key: UInt64) -> (UInt64, UInt64, UInt64, UInt64) {
        var fill = SplitMix64(seed: key)
        let state = (fill.next(), fill.next(), fill.next(), fill.next())
        return state.0 | state.1 | state.2 | state.3 == 0 ? (0x9E37_79B9_7F4A_7C15, 0, 0, 0) : state
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform double in `[0, 1)` with 53 random bits: `(next() >> 11) * 2^-53`.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's multiply-and-reject).
    ///
    /// - Precondition: `bound > 0`.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// Shuffles `values` in place with the Fisher–Yates algorithm (last position first).
    ///
    /// - Complexity: O(values.count), no allocation.
    public mutating func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        values.withUnsafeMutableBufferPointer { buffer in
            var i = buffer.count - 1
            while i > 0 {
                let j = nextIndex(below: i + 1)
                buffer.swapAt(i, j)
                i -= 1
            }
        }
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

