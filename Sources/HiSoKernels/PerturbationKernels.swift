/// The seeded perturbation stream and the fused zeroth-order kernels.
///
/// Notation: `z(seed, p)[j]` is element `j` of the standard-normal stream `(seed, p)`; it is a
/// pure function of `(seed, p, j)` (see ``PerturbationStream`` for the construction). `s` is an
/// optional diagonal scale (HiSo's `H^(-1/2)`); `nil` means `s = 1` and must give exactly the
/// bits of the unscaled formula (no multiplication by 1.0 is observable).
///
/// Kernels that take `offset` treat their buffers as the window `[offset, offset + count)` of the
/// full parameter vector: element `i` of the buffer pairs with stream element `offset + i`.
///
/// Coefficient vectors index the streams: `coefficients[p]` multiplies `z(seed, p)`, for
/// `p = 0 ..< coefficients.count`. The sums over `p` are evaluated in increasing `p`, as
/// `acc = 0; acc = acc + c_p * z_p` (no fused multiply-add), so that every backend and every
/// party gets the same bits.
///
/// None of these kernels allocates on the heap per call beyond a fixed, size-independent scratch.
public protocol PerturbationKernels: Sendable {
    /// `out[i] = z(seed, stream)[offset + i]`.
    ///
    /// Complexity: O(n) generation. Memory: none beyond `out`.
    func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, seed: UInt64, stream: UInt64, offset: Int)

    /// In-place perturbation `x[i] = x[i] + alpha * s[i] * z(seed, stream)[offset + i]`
    /// (with `s = nil`: `x[i] = x[i] + alpha * z[offset + i]`).
    ///
    /// Complexity: one generation and one read-modify-write pass over `x`.
    func perturb(
        _ x: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?,
        seed: UInt64, stream: UInt64, offset: Int)

    /// Out-of-place perturbation `out[i] = x[i] + alpha * s[i] * z(seed, stream)[offset + i]`.
    ///
    /// `x` is left untouched, so evaluating `f(x + mu u)` this way needs no restore and keeps
    /// `x` bit-exact. Complexity: one generation, one read of `x`, one write of `out`.
    func perturbed(
        _ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>, alpha: Float,
        scale: UnsafeBufferPointer<Float>?, seed: UInt64, stream: UInt64, offset: Int)

    /// Replays aggregated scalars: `x[i] = x[i] + s[i] * acc_i` with
    /// `acc_i = sum_p coefficients[p] * z(seed, p)[offset + i]` (with `s = nil`: `x[i] + acc_i`).
    ///
    /// This is the fused restore-and-update pass as well: a coefficient vector that carries the
    /// restore term on its last stream restores and updates in one pass.
    /// Complexity: `P` generations and one read-modify-write pass over `x`.
    func accumulate(
        _ x: UnsafeMutableBufferPointer<Float>, coefficients: UnsafeBufferPointer<Float>,
        scale: UnsafeBufferPointer<Float>?, seed: UInt64, offset: Int)

    /// HiSo peer-rule EMA of the diagonal Hessian, from the aggregated update of one local step:
    /// `d_i = s[i] * acc_i`, `acc_i = sum_p coefficients[p] * z(seed, p)[offset + i]`, then
    /// `h[i] = beta * h[i] + (1 - beta) * d_i * d_i`.
    ///
    /// `s` is read, not refreshed (H is frozen within a round); call ``refreshScale(_:from:floor:)`` after the
    /// last EMA step of the round. Complexity: `P` generations, one pass over `h` and `s`.
    func hessianEMA(
        _ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, seed: UInt64, beta: Float, offset: Int)

    /// HiSo paper rule (Eq. 12) from per-client scalars of local step 0:
    /// `d^(c)_i = s[i] * sum_p coefficients[c * P + p] * z(seed, p)[offset + i]` for each of the
    /// `clients` rows, then `h[i] = (1 - nu) * h[i] + nu * ((1/m) * sum_c (d^(c)_i * d^(c)_i + epsilon))`.
    ///
    /// Complexity: `P` generations and `m * P` multiply-adds per element, one pass over `h`, `s`.
    func hessianPaperUpdate(
        _ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, clients: Int, seed: UInt64, nu: Float,
        epsilon: Float, offset: Int)

    /// `s[i] = 1 / sqrt(max(h[i], floor))`: the perturbation scale `H^(-1/2)` after an H update.
    ///
    /// With `floor = 0` this is the peer's unfloored rule. Complexity: one pass.
    func refreshScale(_ s: UnsafeMutableBufferPointer<Float>, from h: UnsafeBufferPointer<Float>, floor: Float)
}
