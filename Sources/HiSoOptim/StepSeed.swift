import HiSoKernels

/// Derives the perturbation seed of one local step from the run seed and `(round, step)`.
///
/// The hash is three rounds of the SplitMix64 finaliser `mix`:
///
///     mix(z) = let z1 = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
///              let z2 = (z1 ^ (z1 >> 27)) * 0x94D049BB133111EB
///              return z2 ^ (z2 >> 31)                      (wrapping UInt64 arithmetic)
///
///     a = mix(runSeed ^ 0x9E3779B97F4A7C15)
///     b = mix(a + round)
///     seed = mix(b + step)
///
/// `mix` is a bijection on `UInt64`, so for a fixed run seed distinct rounds give distinct `b`
/// and, within one round, distinct steps give distinct seeds; across rounds a repeat needs a
/// 64-bit collision. Unlike the peer (a seed drawn from 0..10^6 each round), seeds therefore do not
/// repeat over long runs, and a downlink only needs the round index.
///
/// Golden values (pinned in `StepSeedTests`, computed independently in Python):
///
/// | runSeed | round | step | seed |
/// |---|---|---|---|
/// | 0 | 0 | 0 | `0x33FE8BD4F9C57863` |
/// | 0 | 0 | 1 | `0x906A2E0A4515E900` |
/// | 0 | 1 | 0 | `0x943AFB10D107F8FD` |
/// | 42 | 7 | 2 | `0xDA641F2AE946F012` |
public enum StepSeed {
    /// The seed of local step `step` of round `round` in the run seeded by `runSeed`.
    ///
    /// - Parameters:
    ///   - runSeed: the run seed from the configuration.
    ///   - round: the round index (0-based).
    ///   - step: the local step within the round (0-based, `0 ..< tau`).
    /// - Returns: `mix(mix(mix(runSeed ^ 0x9E3779B97F4A7C15) + round) + step)`.
    @inlinable
    public static func derive(runSeed: UInt64, round: UInt64, step: Int) -> UInt64 {
        let a = SplitMix64.mix(runSeed ^ 0x9E37_79B9_7F4A_7C15)
        let b = SplitMix64.mix(a &+ round)
        return SplitMix64.mix(b &+ UInt64(truncatingIfNeeded: step))
    }
}
