/// Dense linear algebra in pure Swift: the packed `SwiftGEMM` on ``threads`` threads, and
/// single-threaded level-1/2 kernels. See ``LinearAlgebraKernels`` for the conventions.
extension SwiftBackend {
    /// `C = alpha op(A) op(B) + beta C` with the packed `SwiftGEMM` on ``threads`` threads.
    /// Complexity: `2 m n k` flops; memory: the pooled packing workspace (no per-call allocation).
    public func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        LinearAlgebraChecks.gemm(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        SwiftGEMM.gemm(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
            b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
    }

    /// `y = alpha op(A) x + beta y`, single-threaded. Complexity: `2 m n` flops; no allocation.
    public func gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        precondition(m >= 0 && n >= 0 && lda >= max(1, n), "gemv: bad sizes m=\(m) n=\(n) lda=\(lda)")
        SwiftGEMM.gemv(trans: trans, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y)
    }

    /// `sum_i x_i y_i` with four SIMD accumulators. Complexity: `2 n` flops; no allocation.
    public func dot(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Float {
        precondition(x.count == y.count, "dot: lengths differ (\(x.count) vs \(y.count))")
        guard let px = x.baseAddress, let py = y.baseAddress else { return 0 }
        return SwiftGEMM.dot(x.count, px, py)
    }

    /// `sqrt(sum_i x_i^2)`, squares summed in `Double`. Complexity: `2 n` flops; no allocation.
    public func nrm2(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let px = x.baseAddress else { return 0 }
        return SwiftGEMM.nrm2(x.count, px)
    }

    /// `x = alpha x` (stores `+0` for `alpha = 0`). Complexity: `n` flops; no allocation.
    public func scal(_ x: UnsafeMutableBufferPointer<Float>, alpha: Float) {
        guard let px = x.baseAddress else { return }
        SwiftGEMM.scal(x.count, alpha, px)
    }

    /// `y = y + alpha x`, unfused multiply-add. Complexity: `2 n` flops; no allocation.
    public func axpy(_ x: UnsafeBufferPointer<Float>, alpha: Float, _ y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "axpy: lengths differ (\(x.count) vs \(y.count))")
        guard let px = x.baseAddress, let py = y.baseAddress else { return }
        SwiftGEMM.axpy(x.count, alpha, px, py)
    }
}
