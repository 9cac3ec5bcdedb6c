/// Single-precision GEMM in pure Swift: packed, cache-blocked, with a register-tiled
/// `6 x 8` micro-kernel on `SIMD8<Float>` (separate multiply and add: baseline x86-64 has no FMA).
///
/// Computes `C = alpha * op(A) * op(B) + beta * C` (row-major, see ``LinearAlgebraKernels``).
///
/// Blocking (BLIS order): for each column block of `C` (at most `nc` wide) and each slice of
/// the inner dimension (at most `kc` deep), `op(B)` is packed into `nr`-column panels (shared
/// by all threads); then each row block (at most `mc` rows) packs its `op(A)` rows into
/// `mr`-row panels of pre-broadcast values (per thread) and runs the micro-kernel over the
/// panels. Packing absorbs the transposes and leading dimensions, so all four
/// `transA`/`transB` combinations share one kernel. Block lengths are balanced
/// (``balancedBlock(_:limit:multiple:)``) so no slice is a thin remainder.
///
/// Summation order: element `C[i][j]` is `sum_p` over each slice in increasing `p` (one float
/// accumulator per element), and the slices are added to `C` in increasing order. The block
/// sizes depend on `m`, `n`, `k` only, so the result does not depend on the thread count.
///
/// Threads split the row blocks (or, with fewer row blocks than threads, the column panels);
/// each slice is one fork-join for packing `op(B)` and one for the multiply. Problems under
/// ``minWorkPerThread`` multiply-adds per thread use fewer threads.
/// Memory: one packed `op(B)` slice (at most `kc * nc` floats = 2 MiB) and one packed `op(A)`
/// block per thread (at most `mc * kc` four-lane vectors = 384 KiB), in a workspace reused
/// across calls (``withWorkspace(bytes:_:)``): steady-state calls do not allocate.
enum SwiftGEMM {
    /// Rows of the micro-kernel tile.
    static let mr = 6
    /// Columns of the micro-kernel tile (one `SIMD8<Float>`).
    static let nr = 8
    /// Rows of `op(A)` packed per block (a multiple of `mr`; the packed block, 384 KiB, stays
    /// in a 512 KiB L2).
    static let mc = 96
    /// Depth of one packed slice (a packed `kc x nr` panel of `op(B)`, 8 KiB, stays in L1).
    static let kc = 256
    /// Columns of `op(B)` packed per slice (a multiple of `nr`; the slice stays in L3).
    static let nc = 2048
    /// Multiply-adds below which a call uses fewer threads than allowed (`m n k / this` at
    /// most): a fork-join costs about as much as this much work. Never changes results.
    static let minWorkPerThread = 1 << 18

    /// `C = alpha * op(A) * op(B) + beta * C` on `threads` threads. See the type's documentation.
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
    ) {
        guard m > 0 && n > 0 else { return }
        if k == 0 || alpha == 0 {
            scaleOutput(m: m, n: n, beta: beta, c: c, ldc: ldc)
            return
        }
        let kBlock = balancedBlock(k, limit: kc, multiple: 1)
        let mBlock = balancedBlock(m, limit: mc, multiple: mr)
        let nBlock = balancedBlock(n, limit: nc, multiple: nr)
        let rowBlocks = (m + mBlock - 1) / mBlock
        let workers = max(1, min(threads, min(rowBlocks * (nBlock / nr), m * n * k / minWorkPerThread)))
        let aCapacity = min(kBlock, k) * mBlock
        let bCount = min(kBlock, k) * (nBlock / nr)
        let bBytes = roundUp(bCount * MemoryLayout<SIMD8<Float>>.stride, to: 64)
        let aBytes = aCapacity * workers * MemoryLayout<SIMD4<Float>>.stride
        withWorkspace(bytes: bBytes + aBytes) { base in
            let job = Job(
                source: Operands(transA: transA, transB: transB, a: a, lda: lda, b: b, ldb: ldb),
                m: m, alpha: alpha, beta: beta, c: c, ldc: ldc,
                packedA: (base + bBytes).bindMemory(to: SIMD4<Float>.self, capacity: aCapacity * workers),
                aCapacity: aCapacity, packedB: base.bindMemory(to: SIMD8<Float>.self, capacity: bCount),
                mBlock: mBlock, rowBlocks: rowBlocks, workers: workers)
            var jc = 0
            while jc < n {
                let ncCur = min(nBlock, n - jc)
                var pc = 0
                while pc < k {
                    let kcCur = min(kBlock, k - pc)
                    let slice = Slice(jc: jc, ncCur: ncCur, pc: pc, kcCur: kcCur, first: pc == 0)
                    parallelFor(workers) { w in job.packSlice(slice, worker: w) }
                    parallelFor(workers) { w in job.multiplySlice(slice, worker: w) }
                    pc += kcCur
                }
                jc += ncCur
            }
        }
    }

    /// `C = beta * C` over `m x n` (overwritten with `+0` when `beta == 0`): GEMM with `k == 0`
    /// or `alpha == 0`.
    static func scaleOutput(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard beta != 1 else { return }
        for i in 0..<m { scal(n, beta, c + i * ldc) }
    }

    /// The operands of one GEMM call as given (before packing).
    struct Operands {
        let transA: Bool
        let transB: Bool
        let a: UnsafePointer<Float>
        let lda: Int
        let b: UnsafePointer<Float>
        let ldb: Int
    }

    /// Everything the workers of one GEMM call share.
    ///
    /// `@unchecked Sendable`: it carries raw pointers into the caller's matrices and the packing
    /// buffers. Within one `parallelFor`, worker `w` writes only its own packed `op(B)` panels
    /// (``packSlice(_:worker:)``), or only its own packed `op(A)` buffer and its own rows or
    /// column panels of `C` (``multiplySlice(_:worker:)``); the fork-join between the two calls
    /// orders the packed `op(B)` writes before every read.
    struct Job: @unchecked Sendable {
        let source: Operands
        let m: Int
        let alpha: Float
        let beta: Float
        let c: UnsafeMutablePointer<Float>
        let ldc: Int
        let packedA: UnsafeMutablePointer<SIMD4<Float>>
        let aCapacity: Int
        let packedB: UnsafeMutablePointer<SIMD8<Float>>
        let mBlock: Int
        let rowBlocks: Int
        let workers: Int

        /// Packs worker `w`'s share of the slice's `op(B)` panels.
        func packSlice(_ slice: Slice, worker w: Int) {
            let panels = (slice.ncCur + nr - 1) / nr
            let (lo, hi) = split(panels, parts: workers, part: w)
            packB(source, slice: slice, panels: lo..<hi, into: packedB)
        }

        /// Multiplies worker `w`'s share: every `workers`-th row block when there are at least
        /// as many row blocks as workers, else a contiguous share of the column panels of every
        /// row block.
        func multiplySlice(_ slice: Slice, worker w: Int) {
            let panels = (slice.ncCur + nr - 1) / nr
            let buffer = packedA + w * aCapacity
            var share = 0..<panels
            var block = 0
            var step = 1
            if rowBlocks >= workers {
                block = w
                step = workers
            } else {
                let (lo, hi) = split(panels, parts: workers, part: w)
                share = lo..<hi
            }
            guard !share.isEmpty else { return }
            while block < rowBlocks {
                macroKernel(
                    source, slice: slice, rows: block * mBlock..<min(m, (block + 1) * mBlock), panels: share,
                    packedA: buffer, packedB: packedB, alpha: alpha, beta: beta, c: c, ldc: ldc)
                block += step
            }
        }
    }

    /// One `kc`-deep slice of one `nc`-wide column block.
    struct Slice {
        /// First column of `C` in the block.
        let jc: Int
        /// Columns in the block.
        let ncCur: Int
        /// First index of the inner dimension in the slice.
        let pc: Int
        /// Depth of the slice.
        let kcCur: Int
        /// Whether this is the first slice (apply `beta`), else accumulate into `C`.
        let first: Bool
    }

    /// The block length that splits `count` into the fewest blocks of at most `limit` (a
    /// multiple of `multiple`), made as equal as possible and rounded up to a multiple of
    /// `multiple`; so a `k = 784` inner dimension runs as 4 slices of 196, not 3 of 256 and one
    /// of 16. Depends on the sizes only, never on the thread count.
    @inline(__always)
    static func balancedBlock(_ count: Int, limit: Int, multiple: Int) -> Int {
        let blocks = (count + limit - 1) / limit
        return roundUp((count + blocks - 1) / blocks, to: multiple)
    }

    /// `x` rounded up to a multiple of `step`.
    @inline(__always)
    static func roundUp(_ x: Int, to step: Int) -> Int { (x + step - 1) / step * step }

    /// The half-open range of part `part` when `count` items are split into `parts` nearly
    /// equal contiguous parts.
    @inline(__always)
    static func split(_ count: Int, parts: Int, part: Int) -> (Int, Int) {
        (count * part / parts, count * (part + 1) / parts)
    }
}
