import HiSoKernels

/// The zeroth-order model step, replayed identically by the server, every client and catch-up.
///
/// `x <- x - lr * (1/P) * sum_p g_p * s ⊙ z(seed, p)`, evaluated by `backend.accumulate` with the
/// coefficients `c_p = -(lr * g_p) / P`, computed in exactly that order (product, negation,
/// division by `Float(P)`), so that every party obtains the same bits from the same scalars.
public enum ZOUpdate {
    /// The accumulate coefficients `c_p = -(learningRate * g_p) / Float(P)` written into `into`.
    ///
    /// Complexity: O(P).
    @inlinable
    public static func coefficients(
        scalars g: UnsafeBufferPointer<Float>, learningRate: Float, into c: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(c.count == g.count, "coefficient buffer has \(c.count) slots for \(g.count) scalars")
        let count = Float(g.count)
        for p in 0..<g.count { c[p] = -(learningRate * g[p]) / count }
    }

    /// Applies one step to `x` in place.
    ///
    /// - Parameters:
    ///   - x: the parameters (`d` floats), updated in place.
    ///   - g: the `P` (aggregated) finite-difference scalars of this step.
    ///   - scale: `s = H^(-1/2)` (`d` floats) or `nil` for the identity.
    ///   - seed: the step seed the scalars were measured with.
    ///   - learningRate: `eta` for this round.
    ///   - backend: the kernels that regenerate the directions.
    ///
    /// Complexity: `P` direction generations and one read-modify-write pass over `x`.
    /// Memory: `P` floats of coefficients (stack-sized, independent of `d`).
    public static func apply(
        to x: UnsafeMutableBufferPointer<Float>, scalars g: UnsafeBufferPointer<Float>,
        scale: UnsafeBufferPointer<Float>?, seed: UInt64, learningRate: Float, backend: any KernelBackend
    ) {
        precondition(scale == nil || scale!.count == x.count, "scale length differs from x")
        withUnsafeTemporaryAllocation(of: Float.self, capacity: g.count) { c in
            coefficients(scalars: g, learningRate: learningRate, into: c)
            backend.accumulate(x, coefficients: UnsafeBufferPointer(c), scale: scale, seed: seed, offset: 0)
        }
    }
}
