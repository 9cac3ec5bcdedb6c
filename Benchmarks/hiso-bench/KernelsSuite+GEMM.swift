import HiSoKernels

extension KernelsSuite {
    /// GEMM shapes measured, as (M, K, N): `C[M x N] = A[M x K] * B[K x N]`.
    static let gemmShapes: [(m: Int, k: Int, n: Int)] = [(256, 256, 256), (1024, 1024, 1024), (64, 784, 256)]

    /// The `gemm` group: for each shape and thread count, raw `cblas_sgemm` (entry `sgemm_raw`,
    /// when OpenBLAS is compiled in) and each backend's `gemm` (entry `gemm`), in GFLOP/s =
    /// `2 M N K / seconds / 1e9`, with the raw figure as the floor. Shapes are labelled `MxKxN`.
    ///
    /// The pure-Swift backend is timed before anything touches OpenBLAS at that thread count, so
    /// OpenBLAS's worker threads (which spin for a while after a call) do not steal its cores.
    /// Memory: the three matrices of one shape (at most 12 MiB at 1024^3).
    @Sendable static func gemmGroup(_ context: BenchmarkContext) throws {
        for shape in gemmShapes {
            let (m, k, n) = shape
            let label = "\(m)x\(k)x\(n)"
            let flops = 2 * Double(m) * Double(n) * Double(k)
            let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
            let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
            defer { a.deallocate(); b.deallocate(); c.deallocate() }
            Floors.fillDeterministic(a, count: m * k)
            Floors.fillDeterministic(b, count: k * n)
            c.initialize(repeating: 0, count: m * n)
            for threads in context.threadCounts {
                var measured: [(BackendKind, TrialTimes)] = []
                for kind in context.backends.sorted(by: { $0 == .swift && $1 != .swift }) {
                    let backend = try context.backend(kind, threads: threads)
                    let times = context.measure {
                        backend.gemm(
                            transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                            a: a, lda: k, b: b, ldb: n, beta: 0, c: c, ldc: n)
                    }
                    measured.append((kind, times))
                }
                var floor: Double?
                #if OpenBLAS
                let raw = Floors.rawSGEMM(m: m, k: k, n: n, threads: threads, in: context)
                floor = raw.rate(flops) / 1e9
                context.record(BenchmarkResult(
                    name: "sgemm_raw", backend: .openblas, threads: threads, shape: label,
                    value: raw.rate(flops) / 1e9, unit: "GFLOP/s", trials: raw.seconds.count, spread: raw.spread))
                #endif
                for (kind, times) in measured.sorted(by: { $0.0 != .swift && $1.0 == .swift }) {
                    context.record(BenchmarkResult(
                        name: "gemm", backend: kind, threads: threads, shape: label,
                        value: times.rate(flops) / 1e9, unit: "GFLOP/s", floor: floor, floorName: "sgemm_raw",
                        trials: times.seconds.count, spread: times.spread))
                }
            }
        }
    }
}
