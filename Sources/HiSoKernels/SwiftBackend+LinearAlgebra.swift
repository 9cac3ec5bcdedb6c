extension SwiftBackend {
    public func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var acc: Float = 0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    acc += av * bv
                }
                c[i * ldc + j] = alpha * acc + (beta == 0 ? 0 : beta * c[i * ldc + j])
            }
        }
    }

    public func gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        let rows = trans ? n : m
        let cols = trans ? m : n
        for i in 0..<rows {
            var acc: Float = 0
            for j in 0..<cols { acc += (trans ? a[j * lda + i] : a[i * lda + j]) * x[j] }
            y[i] = alpha * acc + (beta == 0 ? 0 : beta * y[i])
        }
    }

    public func dot(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Float {
        var acc: Float = 0
        for i in 0..<min(x.count, y.count) { acc += x[i] * y[i] }
        return acc
    }

    public func nrm2(_ x: UnsafeBufferPointer<Float>) -> Float {
        var acc: Float = 0
        for v in x { acc += v * v }
        return acc.squareRoot()
    }

    public func scal(_ x: UnsafeMutableBufferPointer<Float>, alpha: Float) {
        for i in x.indices { x[i] = alpha * x[i] }
    }

    public func axpy(_ x: UnsafeBufferPointer<Float>, alpha: Float, _ y: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<min(x.count, y.count) { y[i] = y[i] + alpha * x[i] }
    }
}
