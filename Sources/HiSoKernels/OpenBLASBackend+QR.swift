#if OpenBLAS
internal import CHiSoBLAS

extension OpenBLASBackend {
    /// QR through LAPACKE (see ``LinearAlgebraKernels/qr(m:n:a:lda:q:ldq:r:ldr:)``):
    /// `sgeqrf` on a copy of `A` in `q`, `R` read off its upper triangle, `sorgqr` to form `Q`,
    /// then the columns of `Q` and rows of `R` whose diagonal entry is negative are negated.
    ///
    /// Complexity: about `4 m n^2 - 4 n^3 / 3` flops on ``threads`` threads. Memory: `2 n`
    /// floats here plus LAPACKE's workspace (and its row-major transposition copy).
    public func qr(
        m: Int, n: Int, a: UnsafePointer<Float>, lda: Int, q: UnsafeMutablePointer<Float>, ldq: Int,
        r: UnsafeMutablePointer<Float>?, ldr: Int
    ) {
        LinearAlgebraChecks.qr(m: m, n: n, lda: lda, ldq: ldq, ldr: ldr, hasR: r != nil)
        guard n > 0 else { return }
        precondition(max(m, ldq) <= Int(Int32.max), "qr: size exceeds the 32-bit LAPACKE interface")
        for i in 0..<m { (q + i * ldq).update(from: a + i * lda, count: n) }
        let tau = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let sign = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer {
            tau.deallocate()
            sign.deallocate()
        }
        let factored = withPool { LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), q, Int32(ldq), tau) }
        precondition(factored == 0, "LAPACKE_sgeqrf failed with info \(factored)")
        for j in 0..<n {
            sign[j] = q[j * ldq + j] < 0 ? -1 : 1
            if let r {
                for c in 0..<n { r[j * ldr + c] = c < j ? 0 : sign[j] * q[j * ldq + c] }
            }
        }
        let formed = withPool { LAPACKE_sorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(n), q, Int32(ldq), tau) }
        precondition(formed == 0, "LAPACKE_sorgqr failed with info \(formed)")
        for i in 0..<m {
            for j in 0..<n { q[i * ldq + j] *= sign[j] }
        }
    }
}
#endif
