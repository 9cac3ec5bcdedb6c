/// Level-1 and level-2 kernels in pure Swift, shared by both backends where bit-identity is
/// required (``axpy(_:_:_:_:)``, ``scal(_:_:_:)``) and used by the Swift backend for the rest.
extension SwiftGEMM {
    /// `y[i] = y[i] + alpha * x[i]` for `i < n`: one rounded multiply, then one rounded add
    /// (Swift never contracts to a fused multiply-add), so every backend gets the same bits.
    static func axpy(_ n: Int, _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        var i = 0
        while i < n {
            y[i] = y[i] + alpha * x[i]
            i &+= 1
        }
    }

    /// `x[i] = alpha * x[i]` for `i < n`; `alpha == 0` stores `+0` (BLAS convention: NaN and
    /// infinities in `x` are not propagated).
    static func scal(_ n: Int, _ alpha: Float, _ x: UnsafeMutablePointer<Float>) {
        if alpha == 0 {
            x.update(repeating: 0, count: n)
            return
        }
        var i = 0
        while i < n {
            x[i] = alpha * x[i]
            i &+= 1
        }
    }

    /// `sum_{i<n} x[i] * y[i]`, accumulated in 32 float partial sums (four `SIMD8` lanes sets),
    /// combined pairwise at the end. Complexity: `2 n` flops, no allocation.
    static func dot(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        let rx = UnsafeRawPointer(x)
        let ry = UnsafeRawPointer(y)
        let stride = MemoryLayout<Float>.stride
        var s0 = SIMD8<Float>()
        var s1 = SIMD8<Float>()
        var s2 = SIMD8<Float>()
        var s3 = SIMD8<Float>()
        var i = 0
        while i &+ 32 <= n {
            let o = i &* stride
            s0 += rx.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            s1 += rx.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD8<Float>.self)
            s2 += rx.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Float>.self)
            s3 += rx.loadUnaligned(fromByteOffset: o &+ 96, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: o &+ 96, as: SIMD8<Float>.self)
            i &+= 32
        }
        while i &+ 8 <= n {
            let o = i &* stride
            s0 += rx.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                * ry.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            i &+= 8
        }
        var total = ((s0 + s1) + (s2 + s3)).sum()
        while i < n {
            total += x[i] * y[i]
            i &+= 1
        }
        return total
    }

    /// `sqrt(sum_{i<n} x[i]^2)` with the squares summed in `Double`: a float squared can neither
    /// overflow nor underflow in `Double`, so no scaling pass is needed. Complexity: `2 n` flops.
    static func nrm2(_ n: Int, _ x: UnsafePointer<Float>) -> Float {
        var s0: Double = 0
        var s1: Double = 0
        var s2: Double = 0
        var s3: Double = 0
        var i = 0
        while i &+ 4 <= n {
            let a = Double(x[i])
            let b = Double(x[i &+ 1])
            let c = Double(x[i &+ 2])
            let d = Double(x[i &+ 3])
            s0 += a * a
            s1 += b * b
            s2 += c * c
            s3 += d * d
            i &+= 4
        }
        while i < n {
            let a = Double(x[i])
            s0 += a * a
            i &+= 1
        }
        return Float(((s0 + s1) + (s2 + s3)).squareRoot())
    }

    /// `y = alpha * op(A) * x + beta * y` with `A` row-major `m x n` (row stride `lda`).
    ///
    /// Without `trans`: `y[i] = alpha * dot(A[i, :], x) + beta * y[i]`. With `trans`: `y` is
    /// first scaled by `beta` (overwritten with 0 when `beta == 0`), then
    /// `y += (alpha * x[i]) * A[i, :]` row by row. Complexity: `2 m n` flops, no allocation.
    static func gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        if !trans {
            for i in 0..<m {
                let s = alpha == 0 || n == 0 ? 0 : alpha * dot(n, a + i &* lda, x)
                y[i] = beta == 0 ? s : s + beta * y[i]
            }
        } else {
            if beta != 1 { scal(n, beta, y) }
            guard alpha != 0 else { return }
            for i in 0..<m {
                axpy(n, alpha * x[i], a + i &* lda, y)
            }
        }
    }
}
