import HiSoKernels
import HiSoTestSupport
import Testing

/// Inputs of one GEMM check, with stored shapes and padded leading dimensions.
private struct GEMMProblem: Sendable {
    let transA: Bool
    let transB: Bool
    let m: Int
    let n: Int
    let k: Int
    let lda: Int
    let ldb: Int
    let ldc: Int
    var a: [Float]
    var b: [Float]
    var c: [Float]

    /// The value left in the padding of `C` (columns `n ..< ldc`), which GEMM must not touch.
    static let sentinel: Float = 777

    init(transA: Bool, transB: Bool, m: Int, k: Int, n: Int, pad: Int, seed: UInt64, positive: Bool = false) {
        self.transA = transA
        self.transB = transB
        self.m = m
        self.n = n
        self.k = k
        var values = TestValues(seed: seed)
        let (aRows, aCols) = transA ? (k, m) : (m, k)
        let (bRows, bCols) = transB ? (n, k) : (k, n)
        lda = max(1, aCols + pad)
        ldb = max(1, bCols + pad)
        ldc = max(1, n + pad)
        let low: Float = positive ? 0 : -1
        a = values.uniform(max(1, aRows * lda), in: low, 1)
        b = values.uniform(max(1, bRows * ldb), in: low, 1)
        c = values.uniform(max(1, m * ldc), in: low, 1)
        for i in 0..<m {
            for j in n..<ldc { c[i * ldc + j] = Self.sentinel }
        }
    }

    /// Runs `C = alpha op(A) op(B) + beta C` on `backend`, returning the new `C` storage.
    func run(on backend: any KernelBackend, alpha: Float, beta: Float) -> [Float] {
        var out = c
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    backend.gemm(
                        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                        a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: beta,
                        c: c.baseAddress!, ldc: ldc)
                }
            }
        }
        return out
    }

    /// The `m x n` window of a `C` storage, row by row.
    func window(_ storage: [Float]) -> [Float] {
        (0..<m).flatMap { i in storage[(i * ldc)..<(i * ldc + n)] }
    }
}

/// `(transA, transB)` from a two-bit code, so the four combinations are test arguments.
private func transposes(_ code: Int) -> (Bool, Bool) { (code & 1 != 0, code & 2 != 0) }

@Suite("GEMM")
struct GEMMTests {
    /// (m, k, n): empty, tiny, odd, wider than one column block (nc = 2048), deeper than one
    /// slice (kc = 256), taller than one row block (mc = 96).
    static let shapes: [(Int, Int, Int)] = [
        (0, 0, 0), (0, 3, 4), (3, 0, 4), (3, 4, 0), (1, 1, 1), (7, 7, 7), (33, 17, 65),
        (1, 300, 7), (200, 9, 10), (13, 513, 11), (3, 5, 2050),
    ]
    static let scalars: [(alpha: Float, beta: Float)] = [(1, 0), (0.5, -1.5), (-2, 1), (0, 0.5)]

    @Test("matches a double-accumulating reference", arguments: Kernels.compiledBackends, 0..<4)
    func matchesReference(kind: BackendKind, code: Int) throws {
        let backend = try Kernels.backend(kind, threads: 2, threadedGEMM: code % 2 == 1)
        let (transA, transB) = transposes(code)
        var seed: UInt64 = 1
        for (m, k, n) in Self.shapes {
            for (alpha, beta) in Self.scalars {
                for pad in [0, 3] {
                    seed += 1
                    var problem = GEMMProblem(transA: transA, transB: transB, m: m, k: k, n: n, pad: pad, seed: seed)
                    if beta == 0 {
                        for i in 0..<m { for j in 0..<n { problem.c[i * problem.ldc + j] = .nan } }
                    }
                    let reference = referenceGEMM(
                        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: problem.a,
                        lda: problem.lda, b: problem.b, ldb: problem.ldb, beta: beta, c: problem.c, ldc: problem.ldc)
                    let out = problem.run(on: backend, alpha: alpha, beta: beta)
                    let bound = Double(k + 2) * Double(Float.ulpOfOne)
                    var worst = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            let got = Double(out[i * problem.ldc + j])
                            let err = abs(got - reference.values[i * n + j])
                            worst = max(worst, got.isNaN ? .infinity : err / (bound * reference.scale[i * n + j] + 1e-30))
                        }
                        for j in n..<problem.ldc {
                            #expect(out[i * problem.ldc + j] == GEMMProblem.sentinel, "padding written at (\(i), \(j))")
                        }
                    }
                    #expect(worst <= 1, "\(kind) transA=\(transA) transB=\(transB) \(m)x\(k)x\(n) alpha=\(alpha) beta=\(beta) pad=\(pad): error \(worst) x bound")
                }
            }
        }
    }

    @Test("alpha = 0 and k = 0 reduce to C = beta C without reading A or B", arguments: Kernels.compiledBackends)
    func degenerateScalars(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 1)
        var problem = GEMMProblem(transA: false, transB: true, m: 5, k: 4, n: 3, pad: 1, seed: 99)
        problem.a = problem.a.map { _ in .nan }
        problem.b = problem.b.map { _ in .nan }
        let scaled = problem.run(on: backend, alpha: 0, beta: -0.5)
        #expect(problem.window(scaled) == problem.window(problem.c).map { -0.5 * $0 })
        let zeroed = problem.run(on: backend, alpha: 0, beta: 0)
        #expect(problem.window(zeroed).allSatisfy { $0 == 0 })
        let empty = GEMMProblem(transA: true, transB: false, m: 4, k: 0, n: 6, pad: 2, seed: 7)
        let kept = empty.run(on: backend, alpha: 3, beta: 2)
        #expect(empty.window(kept) == empty.window(empty.c).map { 2 * $0 })
    }

    /// Every backend as training makes it gives the same bits on any thread count (the Swift GEMM
    /// splits rows; OpenBLAS runs BLAS on one thread). OpenBLAS with `threadedGEMM` blocks the
    /// product differently per thread count and may round the last bits differently (measured:
    /// 5.359621 vs 5.359623), so it is held to 1e-5 relative (to max(|x|, 1)).
    @Test("results do not depend on the thread count (bits; OpenBLAS's threaded GEMM: 1e-5 relative)", arguments: Kernels.compiledBackends, 0..<4)
    func threadCountInvariance(kind: BackendKind, code: Int) throws {
        let (transA, transB) = transposes(code)
        for (m, k, n) in [(100, 270, 50), (10, 100, 600), (97, 260, 33)] {
            let problem = GEMMProblem(transA: transA, transB: transB, m: m, k: k, n: n, pad: 1, seed: UInt64(m * k + n))
            let single = problem.run(on: try Kernels.backend(kind, threads: 1), alpha: 1.25, beta: 0.75)
            for threads in [2, 3, 4] {
                let context: Comment = "\(kind) \(m)x\(k)x\(n) transA=\(transA) transB=\(transB): \(threads) threads differ from 1"
                let multi = problem.run(on: try Kernels.backend(kind, threads: threads), alpha: 1.25, beta: 0.75)
                #expect(multi == single, context)
                let threaded = problem.run(on: try Kernels.backend(kind, threads: threads, threadedGEMM: true), alpha: 1.25, beta: 0.75)
                if kind == .swift {
                    #expect(threaded == single, context)
                } else {
                    #expect(maxRelativeDifference(problem.window(threaded), problem.window(single), floor: 1) <= 1e-5, context)
                }
            }
        }
    }

    @Test("concurrent calls of different sizes share the workspace pool safely")
    func concurrentCalls() async throws {
        let backend = try Kernels.backend(.swift, threads: 2)
        let shapes = [(40, 300, 33), (97, 20, 260), (5, 513, 7), (120, 64, 80)]
        let problems = shapes.enumerated().map { index, shape in
            GEMMProblem(transA: index % 2 == 1, transB: index >= 2, m: shape.0, k: shape.1, n: shape.2, pad: 1, seed: UInt64(index + 40))
        }
        let expected = problems.map { $0.run(on: backend, alpha: 1, beta: 0.5) }
        let results = await withTaskGroup(of: (Int, [Float]).self) { group in
            for _ in 0..<3 {
                for (index, problem) in problems.enumerated() {
                    group.addTask { (index, problem.run(on: backend, alpha: 1, beta: 0.5)) }
                }
            }
            var collected: [(Int, [Float])] = []
            for await result in group { collected.append(result) }
            return collected
        }
        #expect(results.count == 3 * problems.count)
        for (index, out) in results {
            #expect(out == expected[index], "problem \(index) differs when run concurrently")
        }
    }

    @Test(
        "concurrent calls from backends with 1 and 2 GEMM threads give the bits of serial calls (OpenBLAS's pool size is process-global)",
        arguments: Kernels.compiledBackends)
    func concurrentMixedThreadCounts(kind: BackendKind) async throws {
        let backends = [try Kernels.backend(kind, threads: 1), try Kernels.backend(kind, threads: 2, threadedGEMM: true)]
        let problems = [(160, 300, 120), (97, 260, 133), (200, 64, 310)].enumerated().map { index, shape in
            GEMMProblem(transA: index == 1, transB: index == 2, m: shape.0, k: shape.1, n: shape.2, pad: 1, seed: UInt64(index + 70))
        }
        let expected = backends.map { backend in problems.map { $0.run(on: backend, alpha: 1, beta: 0.5) } }
        let results = await withTaskGroup(of: (Int, Int, [Float]).self) { group in
            for round in 0..<4 {
                for (index, problem) in problems.enumerated() {
                    let backend = backends[(round + index) % 2]
                    group.addTask { (index, backend.threads, problem.run(on: backend, alpha: 1, beta: 0.5)) }
                }
            }
            var collected: [(Int, Int, [Float])] = []
            for await result in group { collected.append(result) }
            return collected
        }
        #expect(results.count == 4 * problems.count)
        for (index, threads, out) in results {
            #expect(out == expected[threads - 1][index], "\(kind) problem \(index) on \(threads) threads differs when run concurrently")
        }
    }

    #if OpenBLAS
    @Test("OpenBLAS and Swift agree within 1e-5 relative", arguments: 0..<4)
    func crossBackend(code: Int) throws {
        let (transA, transB) = transposes(code)
        let swift = try Kernels.backend(.swift, threads: 2)
        let blas = try Kernels.backend(.openblas, threads: 2)
        for (m, k, n) in [(33, 17, 65), (64, 300, 40), (7, 513, 9)] {
            let positive = GEMMProblem(transA: transA, transB: transB, m: m, k: k, n: n, pad: 2, seed: 5, positive: true)
            let x = positive.window(positive.run(on: swift, alpha: 1, beta: 0.5))
            let y = positive.window(positive.run(on: blas, alpha: 1, beta: 0.5))
            #expect(maxRelativeDifference(x, y) <= 1e-5, "elementwise, \(m)x\(k)x\(n)")

            let signed = GEMMProblem(transA: transA, transB: transB, m: m, k: k, n: n, pad: 0, seed: 6)
            let u = signed.window(signed.run(on: swift, alpha: -1, beta: 0))
            let v = signed.window(signed.run(on: blas, alpha: -1, beta: 0))
            let largest = u.map(abs).max() ?? 0
            let worst = zip(u, v).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * largest, "normwise, \(m)x\(k)x\(n): \(worst) vs max \(largest)")
        }
    }
    #endif
}
