/// Dense linear algebra on row-major float32 matrices, plus the elementwise helpers models need.
///
/// GEMM computes `C = alpha * op(A) * op(B) + beta * C` with `op(A)` of shape `m x k`, `op(B)`
/// of shape `k x n` and `C` of shape `m x n`; all matrices row-major with leading dimensions
/// `lda`, `ldb`, `ldc` (the row stride of the stored, untransposed matrix).
///
/// Conventions shared by every backend (BLAS conventions):
/// - `beta == 0` means the output is overwritten and never read (NaN in it does not propagate);
///   `alpha == 0` (or `k == 0`) means `A` and `B` are not read.
/// - Sizes may be 0. Leading dimensions must be at least the stored row length (and at least 1);
///   violating that, or negative sizes, is a programmer error (precondition).
/// - GEMM, GEMV and the reductions may differ in rounding between backends (relative difference
///   at most about 1e-5); ``scal(_:alpha:)`` and ``axpy(_:alpha:_:)`` are bit-identical.
/// - On a given backend, results do not depend on the thread count.
public protocol LinearAlgebraKernels: Sendable {
    /// `C = alpha * op(A) * op(B) + beta * C` (row-major), where `op(X)` is `X` or `Xᵀ`.
    ///
    /// - Parameters:
    ///   - transA: use `Aᵀ`; `A` is then stored `k x m` (row stride `lda >= m`), else `m x k`
    ///     (`lda >= k`).
    ///   - transB: use `Bᵀ`; `B` is then stored `n x k` (`ldb >= k`), else `k x n` (`ldb >= n`).
    ///   - m: rows of `op(A)` and `C`.
    ///   - n: columns of `op(B)` and `C`.
    ///   - k: columns of `op(A)`, rows of `op(B)`.
    ///   - alpha: the product's weight.
    ///   - a: `A`, row-major with row stride `lda`.
    ///   - lda: row stride of `A`.
    ///   - b: `B`, row-major with row stride `ldb`.
    ///   - ldb: row stride of `B`.
    ///   - beta: the weight of the old `C` (0: `C` is overwritten, never read).
    ///   - c: `C`, row-major, updated.
    ///   - ldc: row stride of `C`, at least `n`.
    /// Complexity: `2 m n k` flops, on ``KernelBackend/threads`` threads.
    func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int)

    /// `y = alpha * op(A) * x + beta * y` with `A` row-major `m x n` (`lda >= n`).
    ///
    /// `x` has `n` elements and `y` has `m` (or `m` and `n` with `trans`). Complexity: `2 m n`
    /// flops, one thread.
    func gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>)

    /// `sum_i x[i] * y[i]` over equally long vectors (float accumulation in several partial
    /// sums). Complexity: `2 n` flops.
    func dot(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Float

    /// `sqrt(sum_i x[i]^2)`, without overflow or underflow for any finite float input.
    /// Complexity: `2 n` flops.
    func nrm2(_ x: UnsafeBufferPointer<Float>) -> Float

    /// `x[i] = alpha * x[i]`; with `alpha == 0`, `x[i] = +0` (BLAS convention). Bit-identical on
    /// every backend.
    func scal(_ x: UnsafeMutableBufferPointer<Float>, alpha: Float)

    /// `y[i] = y[i] + alpha * x[i]` over equally long vectors (bit-identical on every backend: one
    /// rounded multiply, then one rounded add, no fused multiply-add).
    func axpy(_ x: UnsafeBufferPointer<Float>, alpha: Float, _ y: UnsafeMutableBufferPointer<Float>)

    /// Householder QR of a row-major `m x n` matrix (`m >= n`): `A = Q R`, `Q` (`m x n`, row
    /// stride `ldq >= n`) with orthonormal columns and `R` (`n x n`, upper triangular, row stride
    /// `ldr >= n`) with a non-negative diagonal.
    ///
    /// The sign convention (diagonal of `R` non-negative) makes `Q` unique for a full-rank `A`,
    /// so both backends give the same `Q` up to rounding. With `m == n`, `Q` is a full
    /// orthogonal matrix (for example a random rotation from a Gaussian `A`). `q` must not
    /// overlap `a`; pass `r = nil` when `R` is not needed (`ldr` is then ignored).
    /// Complexity: about `4 m n^2 - 4 n^3 / 3` flops, one thread on the Swift backend.
    /// Memory: `O(m n)` scratch for the duration of the call.
    func qr(
        m: Int, n: Int, a: UnsafePointer<Float>, lda: Int, q: UnsafeMutablePointer<Float>, ldq: Int,
        r: UnsafeMutablePointer<Float>?, ldr: Int)
}

extension LinearAlgebraKernels {
    /// The orthonormal factor `Q` (`m x n`, row-major) of the QR decomposition of a row-major
    /// `m x n` matrix (`m >= n`), with `R`'s diagonal non-negative. See ``qr(m:n:a:lda:q:ldq:r:ldr:)``.
    ///
    /// - Precondition: `a.count == m * n`, `m >= n >= 0`.
    /// Memory: returns a new `m n` array plus `O(m n)` scratch.
    public func orthonormalQ(of a: [Float], rows m: Int, columns n: Int) -> [Float] {
        precondition(m >= n && n >= 0 && a.count == m * n, "orthonormalQ: need m >= n >= 0 and \(m)x\(n) elements, found \(a.count)")
        guard n > 0 else { return [] }
        return [Float](unsafeUninitializedCapacity: m * n) { q, count in
            a.withUnsafeBufferPointer { a in
                qr(m: m, n: n, a: a.baseAddress!, lda: n, q: q.baseAddress!, ldq: n, r: nil, ldr: n)
            }
            count = m * n
        }
    }
}

/// Programmer-error checks shared by the backends' linear algebra.
enum LinearAlgebraChecks {
    /// Checks GEMM sizes and leading dimensions.
    @inline(__always)
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
        precondition(lda >= max(1, transA ? m : k), "gemm: lda=\(lda) is below the stored row length \(transA ? m : k)")
        precondition(ldb >= max(1, transB ? k : n), "gemm: ldb=\(ldb) is below the stored row length \(transB ? k : n)")
        precondition(ldc >= max(1, n), "gemm: ldc=\(ldc) is below n=\(n)")
    }

    /// Checks QR sizes and leading dimensions.
    @inline(__always)
    static func qr(m: Int, n: Int, lda: Int, ldq: Int, ldr: Int, hasR: Bool) {
        precondition(m >= n && n >= 0, "qr: need m >= n >= 0, found m=\(m) n=\(n)")
        precondition(lda >= max(1, n) && ldq >= max(1, n), "qr: lda=\(lda), ldq=\(ldq) below n=\(n)")
        precondition(!hasR || ldr >= max(1, n), "qr: ldr=\(ldr) below n=\(n)")
    }
}
