extension SwiftBackend {
    /// Householder QR in `Double` (see ``LinearAlgebraKernels/qr(m:n:a:lda:q:ldq:r:ldr:)``):
    /// LAPACK's reflector convention (`geqrf` + `orgqr`), then the columns of `Q` and rows of
    /// `R` whose diagonal entry is negative are negated.
    ///
    /// Complexity: about `4 m n^2 - 4 n^3 / 3` flops, one thread. Memory: `2 m n + n` doubles.
    public func qr(
        m: Int, n: Int, a: UnsafePointer<Float>, lda: Int, q: UnsafeMutablePointer<Float>, ldq: Int,
        r: UnsafeMutablePointer<Float>?, ldr: Int
    ) {
        LinearAlgebraChecks.qr(m: m, n: n, lda: lda, ldq: ldq, ldr: ldr, hasR: r != nil)
        guard n > 0 else { return }
        HouseholderQR.factor(m: m, n: n, a: a, lda: lda, q: q, ldq: ldq, r: r, ldr: ldr)
    }
}

/// Householder QR in pure Swift with `Double` arithmetic, on column-major scratch copies.
enum HouseholderQR {
    /// Factors `A` (row-major `m x n`, `m >= n >= 1`) and writes `Q` and optionally `R` as
    /// float, with `R`'s diagonal made non-negative.
    static func factor(
        m: Int, n: Int, a: UnsafePointer<Float>, lda: Int, q: UnsafeMutablePointer<Float>, ldq: Int,
        r: UnsafeMutablePointer<Float>?, ldr: Int
    ) {
        let w = UnsafeMutablePointer<Double>.allocate(capacity: m * n)
        let qd = UnsafeMutablePointer<Double>.allocate(capacity: m * n)
        let tau = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer {
            w.deallocate()
            qd.deallocate()
            tau.deallocate()
        }
        for j in 0..<n {
            for i in 0..<m { w[j * m + i] = Double(a[i * lda + j]) }
        }
        for j in 0..<n {
            let x = w + j * m + j
            let len = m - j
            let alpha = x[0]
            let sigma = len > 1 ? dot(len - 1, x + 1, x + 1) : 0
            if sigma == 0 {
                tau[j] = 0
            } else {
                let norm = (alpha * alpha + sigma).squareRoot()
                let beta = alpha >= 0 ? -norm : norm
                tau[j] = (beta - alpha) / beta
                let inv = 1 / (alpha - beta)
                for i in 1..<len { x[i] *= inv }
                x[0] = beta
                applyReflector(v: x, length: len, tau: tau[j], columns: (j + 1)..<n, matrix: w + j, m: m)
            }
        }
        qd.initialize(repeating: 0, count: m * n)
        for j in 0..<n { qd[j * m + j] = 1 }
        for j in stride(from: n - 1, through: 0, by: -1) where tau[j] != 0 {
            applyReflector(v: w + j * m + j, length: m - j, tau: tau[j], columns: j..<n, matrix: qd + j, m: m)
        }
        for j in 0..<n {
            let sign: Double = w[j * m + j] < 0 ? -1 : 1
            for i in 0..<m { q[i * ldq + j] = Float(sign * qd[j * m + i]) }
            if let r {
                for c in 0..<n { r[j * ldr + c] = c < j ? 0 : Float(sign * w[c * m + j]) }
            }
        }
    }

    /// Applies `H = I - tau v vᵀ` (with `v[0] = 1` implied, `v[1 ..< length]` stored) to the
    /// given columns of a column-major matrix whose column `c` starts at `matrix + c * m`
    /// (already offset to the reflector's first row). Four columns at a time share each load
    /// of `v`: `s_c = tau * (v · col_c)`, then `col_c -= s_c v`.
    private static func applyReflector(
        v: UnsafePointer<Double>, length: Int, tau: Double, columns: Range<Int>,
        matrix: UnsafeMutablePointer<Double>, m: Int
    ) {
        var c = columns.lowerBound
        while c + 4 <= columns.upperBound {
            let c0 = matrix + c * m
            let c1 = c0 + m
            let c2 = c1 + m
            let c3 = c2 + m
            var s0 = c0[0]
            var s1 = c1[0]
            var s2 = c2[0]
            var s3 = c3[0]
            var i = 1
            while i < length {
                let vi = v[i]
                s0 += vi * c0[i]
                s1 += vi * c1[i]
                s2 += vi * c2[i]
                s3 += vi * c3[i]
                i &+= 1
            }
            s0 *= tau
            s1 *= tau
            s2 *= tau
            s3 *= tau
            c0[0] -= s0
            c1[0] -= s1
            c2[0] -= s2
            c3[0] -= s3
            i = 1
            while i < length {
                let vi = v[i]
                c0[i] -= s0 * vi
                c1[i] -= s1 * vi
                c2[i] -= s2 * vi
                c3[i] -= s3 * vi
                i &+= 1
            }
            c += 4
        }
        while c < columns.upperBound {
            let col = matrix + c * m
            let s = tau * (col[0] + (length > 1 ? dot(length - 1, v + 1, col + 1) : 0))
            col[0] -= s
            var i = 1
            while i < length {
                col[i] -= s * v[i]
                i &+= 1
            }
            c += 1
        }
    }

    /// `sum_{i<n} x[i] * y[i]` in four `SIMD2<Double>` partial sums.
    private static func dot(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
        let rx = UnsafeRawPointer(x)
        let ry = UnsafeRawPointer(y)
        var s0 = SIMD2<Double>()
        var s1 = SIMD2<Double>()
        var s2 = SIMD2<Double>()
        var s3 = SIMD2<Double>()
        var i = 0
        while i &+ 8 <= n {
            let o = i &* 8
            s0 += rx.loadUnaligned(fromByteOffset: o, as: SIMD2<Double>.self)
                * ry.loadUnaligned(fromByteOffset: o, as: SIMD2<Double>.self)
            s1 += rx.loadUnaligned(fromByteOffset: o &+ 16, as: SIMD2<Double>.self)
                * ry.loadUnaligned(fromByteOffset: o &+ 16, as: SIMD2<Double>.self)
            s2 += rx.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD2<Double>.self)
                * ry.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD2<Double>.self)
            s3 += rx.loadUnaligned(fromByteOffset: o &+ 48, as: SIMD2<Double>.self)
                * ry.loadUnaligned(fromByteOffset: o &+ 48, as: SIMD2<Double>.self)
            i &+= 8
        }
        var total = ((s0 + s1) + (s2 + s3)).sum()
        while i < n {
            total += x[i] * y[i]
            i &+= 1
        }
        return total
    }
}
