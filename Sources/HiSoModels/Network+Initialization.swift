import HiSoKernels

extension Network {
    /// Fills `parameters` with PyTorch's default initialisation in distribution.
    ///
    /// PyTorch's `Linear` and `Conv2d` use `kaiming_uniform_(a = sqrt(5))` for weights and
    /// `U(-1/sqrt(fan_in), 1/sqrt(fan_in))` for biases; both reduce to
    /// `U(-1/sqrt(fan_in), 1/sqrt(fan_in))` with `fan_in = inputs` or `inChannels * k^2`.
    ///
    /// Generator: slice `s` (in ``slices`` order) draws from its own SplitMix64 stream seeded
    /// with `SplitMix64(seed).next() ^ (s + 1) * 0xD1B54A32D192ED03`; element `j` is
    /// `bound * (2 u_j - 1)` with `u_j = (next() >> 40) * 2^-24`. The result depends only on
    /// `seed` and the architecture (not on thread count or backend).
    ///
    /// - Precondition: `parameters.count == parameterCount` (programmer error otherwise).
    /// - Complexity: O(parameterCount). Memory: none.
    public func initializeParameters(into parameters: UnsafeMutableBufferPointer<Float>, seed: UInt64) {
        precondition(
            parameters.count == parameterCount,
            "parameter buffer has \(parameters.count) values, network \(name) needs \(parameterCount)")
        var root = SplitMix64(seed: seed)
        let base = root.next()
        for (s, slice) in slices.enumerated() {
            var g = SplitMix64(seed: base ^ (UInt64(s + 1) &* 0xD1B5_4A32_D192_ED03))
            let bound = 1 / Float(slice.fanIn).squareRoot()
            for j in slice.range {
                parameters[j] = bound * (2 * g.nextUnitFloat() - 1)
            }
        }
    }

    /// A freshly initialised parameter vector (see ``initializeParameters(into:seed:)``).
    public func initialParameters(seed: UInt64) -> [Float] {
        var x = [Float](repeating: 0, count: parameterCount)
        x.withUnsafeMutableBufferPointer { initializeParameters(into: $0, seed: seed) }
        return x
    }
}
