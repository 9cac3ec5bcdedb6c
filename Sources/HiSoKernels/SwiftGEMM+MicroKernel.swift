extension SwiftGEMM {
    /// Packs the `op(A)` rows `rows` of the slice into `packedA`, then multiplies them by the
    /// packed `op(B)` panels `panels` and updates the matching block of `C`.
    static func macroKernel(
        _ source: Operands, slice: Slice, rows: Range<Int>, panels: Range<Int>,
        packedA: UnsafeMutablePointer<SIMD4<Float>>, packedB: UnsafePointer<SIMD8<Float>>,
        alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        packA(source, slice: slice, rows: rows, into: packedA)
        let kcCur = slice.kcCur
        let betaEff: Float = slice.first ? beta : 1
        for panel in panels {
            let col0 = slice.jc + panel * nr
            let width = min(nr, slice.ncCur - panel * nr)
            let bPanel = packedB + panel * kcCur
            var aPanel = UnsafePointer(packedA)
            var row0 = rows.lowerBound
            while row0 < rows.upperBound {
                microKernel(
                    kc: kcCur, a: aPanel, b: bPanel, c: c + row0 * ldc + col0, ldc: ldc,
                    rows: min(mr, rows.upperBound - row0), cols: width, alpha: alpha, beta: betaEff)
                aPanel += mr * kcCur
                row0 += mr
            }
        }
    }

    /// The `6 x 8` register tile: `acc[r] = sum_p b[p] * a[p * 6 + r]` over `p < kc` (each
    /// `a` entry a pre-broadcast four-lane vector, widened to eight lanes), then
    /// `C[r][0 ..< cols] = alpha * acc[r] + beta * C[r]` for `r < rows` (`C` not read when
    /// `beta == 0`).
    @inline(__always)
    static func microKernel(
        kc: Int, a: UnsafePointer<SIMD4<Float>>, b: UnsafePointer<SIMD8<Float>>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int, alpha: Float, beta: Float
    ) {
        var c0 = SIMD8<Float>()
        var c1 = SIMD8<Float>()
        var c2 = SIMD8<Float>()
        var c3 = SIMD8<Float>()
        var c4 = SIMD8<Float>()
        var c5 = SIMD8<Float>()
        var pa = a
        var pb = b
        for _ in 0..<kc {
            let bv = pb.pointee
            c0 += bv * SIMD8(lowHalf: pa[0], highHalf: pa[0])
            c1 += bv * SIMD8(lowHalf: pa[1], highHalf: pa[1])
            c2 += bv * SIMD8(lowHalf: pa[2], highHalf: pa[2])
            c3 += bv * SIMD8(lowHalf: pa[3], highHalf: pa[3])
            c4 += bv * SIMD8(lowHalf: pa[4], highHalf: pa[4])
            c5 += bv * SIMD8(lowHalf: pa[5], highHalf: pa[5])
            pa += 6
            pb += 1
        }
        storeRow(c0, to: c, cols: cols, alpha: alpha, beta: beta)
        guard rows > 1 else { return }
        storeRow(c1, to: c + ldc, cols: cols, alpha: alpha, beta: beta)
        guard rows > 2 else { return }
        storeRow(c2, to: c + 2 * ldc, cols: cols, alpha: alpha, beta: beta)
        guard rows > 3 else { return }
        storeRow(c3, to: c + 3 * ldc, cols: cols, alpha: alpha, beta: beta)
        guard rows > 4 else { return }
        storeRow(c4, to: c + 4 * ldc, cols: cols, alpha: alpha, beta: beta)
        guard rows > 5 else { return }
        storeRow(c5, to: c + 5 * ldc, cols: cols, alpha: alpha, beta: beta)
    }

    /// `c[j] = alpha * v[j] + beta * c[j]` for `j < cols` (`c[j] = alpha * v[j]` when
    /// `beta == 0`); the full-width case is one unaligned vector load and store, with the same
    /// rounding as the scalar tail.
    @inline(__always)
    static func storeRow(_ v: SIMD8<Float>, to c: UnsafeMutablePointer<Float>, cols: Int, alpha: Float, beta: Float) {
        if cols == nr {
            let raw = UnsafeMutableRawPointer(c)
            if beta == 0 {
                raw.storeBytes(of: alpha * v, as: SIMD8<Float>.self)
            } else {
                let old = raw.loadUnaligned(as: SIMD8<Float>.self)
                raw.storeBytes(of: alpha * v + beta * old, as: SIMD8<Float>.self)
            }
        } else if beta == 0 {
            for j in 0..<cols { c[j] = alpha * v[j] }
        } else {
            for j in 0..<cols { c[j] = alpha * v[j] + beta * c[j] }
        }
    }
}
