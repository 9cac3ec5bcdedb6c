/// Dense linear algebra on row-major float32 matrices, plus the elementwise helpers models need.
///
/// GEMM computes `C = alpha * op(A) * op(B) + beta * C` with `op(A)` of shape `m x k`, `op(B)`
/// of shape `k x n` and `C` of shape `m x n`; all matrices row-major with leading dimensions
/// `lda`, `ldb`, `ldc` (the row stride of the stored, untransposed matrix).
public protocol LinearAlgebraKernels: Sendable {
    /// `C = alpha * op(A) * op(B) + beta * C` (row-major). Complexity: `2 m n k` flops.
    func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int)

    /// `y = alpha * op(A) * x + beta * y` with `A` row-major `m x n`.
    func gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>)

    /// `sum_i x[i] * y[i]`.
    func dot(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Float

    /// `sqrt(sum_i x[i]^2)`.
    func nrm2(_ x: UnsafeBufferPointer<Float>) -> Float

    /// `x[i] = alpha * x[i]`.
    func scal(_ x: UnsafeMutableBufferPointer<Float>, alpha: Float)

    /// `y[i] = y[i] + alpha * x[i]` (bit-identical on every backend: no fused multiply-add).
    func axpy(_ x: UnsafeBufferPointer<Float>, alpha: Float, _ y: UnsafeMutableBufferPointer<Float>)
}
