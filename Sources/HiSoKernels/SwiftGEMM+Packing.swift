extension SwiftGEMM {
    /// Packs `op(B)[pc ..< pc + kcCur][jc + nr * panel ..< ...]` for each panel in `panels` into
    /// `nr`-column panels: panel `j` occupies `packed[j * kcCur ..< (j + 1) * kcCur]`, entry `p`
    /// holding the `nr` columns of row `pc + p` (zero-padded past the block's last column).
    static func packB(
        _ source: Operands, slice: Slice, panels: Range<Int>, into packed: UnsafeMutablePointer<SIMD8<Float>>
    ) {
        let kcCur = slice.kcCur
        for panel in panels {
            let col0 = slice.jc + panel * nr
            let width = min(nr, slice.ncCur - panel * nr)
            let dest = packed + panel * kcCur
            if !source.transB {
                var src = source.b + slice.pc * source.ldb + col0
                if width == nr {
                    for p in 0..<kcCur {
                        dest[p] = UnsafeRawPointer(src).loadUnaligned(as: SIMD8<Float>.self)
                        src += source.ldb
                    }
                } else {
                    for p in 0..<kcCur {
                        var v = SIMD8<Float>()
                        for l in 0..<width { v[l] = src[l] }
                        dest[p] = v
                        src += source.ldb
                    }
                }
            } else {
                dest.initialize(repeating: SIMD8<Float>(), count: kcCur)
                let lanes = UnsafeMutableRawPointer(dest).assumingMemoryBound(to: Float.self)
                for l in 0..<width {
                    let src = source.b + (col0 + l) * source.ldb + slice.pc
                    for p in 0..<kcCur { lanes[p * nr + l] = src[p] }
                }
            }
        }
    }

    /// Packs `op(A)[rows][pc ..< pc + kcCur]` into `mr`-row panels of broadcast values: panel
    /// `r` occupies `packed[r * mr * kcCur ..< (r + 1) * mr * kcCur]`, with row `i` of column
    /// `pc + p` at `p * mr + i`, repeated in all four lanes (so the micro-kernel multiplies by
    /// a plain vector load instead of a broadcast shuffle); zero-padded past the last row.
    static func packA(_ source: Operands, slice: Slice, rows: Range<Int>, into packed: UnsafeMutablePointer<SIMD4<Float>>) {
        let kcCur = slice.kcCur
        var panel = 0
        var row0 = rows.lowerBound
        while row0 < rows.upperBound {
            let height = min(mr, rows.upperBound - row0)
            let dest = packed + panel * mr * kcCur
            if height < mr { dest.initialize(repeating: SIMD4<Float>(), count: mr * kcCur) }
            if !source.transA {
                for i in 0..<height {
                    let src = source.a + (row0 + i) * source.lda + slice.pc
                    for p in 0..<kcCur { dest[p &* mr &+ i] = SIMD4(repeating: src[p]) }
                }
            } else {
                var src = source.a + slice.pc * source.lda + row0
                for p in 0..<kcCur {
                    for i in 0..<height { dest[p &* mr &+ i] = SIMD4(repeating: src[i]) }
                    src += source.lda
                }
            }
            panel += 1
            row0 += mr
        }
    }
}
