/// SplitMix64 (Steele, Lea and Flood 2014): the package's one 64-bit seed mixer.
///
///     next():  state += 0x9E3779B97F4A7C15; return mix(state)
///     mix(z):  z1 = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
///              z2 = (z1 ^ (z1 >> 27)) * 0x94D049BB133111EB
///              return z2 ^ (z2 >> 31)                      (wrapping UInt64 arithmetic)
///
/// It initialises model parameters, expands seeds into ``SeededGenerator`` state and, through
/// ``mix(_:)`` (a bijection on `UInt64`), derives step and client seeds. Deterministic and
/// independent of thread count and backend.
///
/// Memory: 8 bytes. Not thread-safe; give each task its own generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The counter, advanced by the golden-ratio increment on every ``next()``.
    public private(set) var state: UInt64

    /// Creates a generator whose first output is `mix(seed + 0x9E3779B97F4A7C15)`.
    public init(seed: UInt64) { state = seed }

    /// The SplitMix64 finaliser, a bijection on `UInt64`.
    ///
    /// Complexity: O(1).
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 random bits: `mix(state += 0x9E3779B97F4A7C15)`.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform float in `[0, 1)` from the top 24 bits: `(next() >> 40) * 2^-24`.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }
}
