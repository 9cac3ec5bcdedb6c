/// Dense linear algebra in pure Swift: the packed ``SwiftGEMM`` on ``threads`` threads, and
/// single-threaded level-1/2 kernels. See ``LinearAlgebraKernels`` for the conventions.
extension SwiftBackend {
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

    public func gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        precondition(m >= 0 && n >= 0 && lda >= max(1, n), "gemv: bad sizes m=\(m) n=\(n) lda=\(lda)")
        SwiftGEMM.gemv(trans: trans, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y)
    }

    public func dot(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Float {
        precondition(x.count == y.count, "dot: lengths differ (\(x.count) vs \(y.count))")
        guard let px = x.baseAddress, let py = y.baseAddress else { return 0 }
        return SwiftGEMM.dot(x.count, px, py)
    }

    public func nrm2(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let px = x.baseAddress else { return 0 }
        return SwiftGEMM.nrm2(x.count, px)
    }

    public func scal(_ x: UnsafeMutableBufferPointer<Float>, alpha: Float) {
        guard let px = x.baseAddress else { return }
        SwiftGEMM.scal(x.count, alpha, px)
    }

    public func axpy(_ x: UnsafeBufferPointer<Float>, alpha: Float, _ y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "axpy: lengths differ (\(x.count) vs \(y.count))")
        guard let px = x.baseAddress, let py = y.baseAddress else { return }
        SwiftGEMM.axpy(x.count, alpha, px, py)
    }
}
