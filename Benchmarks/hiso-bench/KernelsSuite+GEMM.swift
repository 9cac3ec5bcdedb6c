import HiSoKernels

extension KernelsSuite {
    /// GEMM shapes measured, as (M, K, N): `C[M x N] = A[M x K] * B[K x N]`.
    static let gemmShapes: [(m: Int, k: Int, n: Int)] = [(256, 256, 256), (1024, 1024, 1024), (64, 784, 256)]

    /// The `gemm` group: for each shape and thread count, raw `cblas_sgemm` (entry `sgemm_raw`,
    /// when OpenBLAS is compiled in) and each backend's `gemm` (entry `gemm`), in GFLOP/s =
    /// `2 M N K / seconds / 1e9`, with the raw figure as the floor. Shapes are labelled `MxKxN`.
    ///
    /// The OpenBLAS backend's trials are interleaved with the raw call's, so that ratio sees
    /// one machine load. The pure-Swift backend is timed first, before anything touches
    /// OpenBLAS at that thread count, so OpenBLAS's worker threads (which spin for a while
    /// after a call) do not steal its cores. Without OpenBLAS there is no floor.
    /// Memory: the matrices of one shape, twice (at most 24 MiB at 1024^3).
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
                var bodies: [(BackendKind, () -> Void)] = []
                for kind in context.backends {
                    let backend = try context.backend(kind, threads: threads, threadedGEMM: true)
                    bodies.append((kind, {
                        backend.gemm(
                            transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                            a: a, lda: k, b: b, ldb: n, beta: 0, c: c, ldc: n)
                    }))
                }
                var measured: [(BackendKind, TrialTimes)] = []
                for (kind, body) in bodies where kind == .swift {
                    measured.append((kind, context.measure(body)))
                }
                let others = bodies.filter { $0.0 != .swift }
                var floor: Double?
                #if OpenBLAS
                let timed = Floors.rawSGEMM(
                    m: m, k: k, n: n, threads: threads, in: context, interleavedWith: others.map(\.1))
                floor = timed.raw.rate(flops) / 1e9
                context.record(BenchmarkResult(
                    name: "sgemm_raw", backend: .openblas, threads: threads, shape: label,
                    value: timed.raw.rate(flops) / 1e9, unit: "GFLOP/s",
                    trials: timed.raw.seconds.count, spread: timed.raw.spread))
                measured.insert(contentsOf: Array(zip(others.map(\.0), timed.others)), at: 0)
                #else
                for (kind, body) in others { measured.append((kind, context.measure(body))) }
                #endif
                for (kind, times) in measured {
                    context.record(BenchmarkResult(
                        name: "gemm", backend: kind, threads: threads, shape: label,
                        value: times.rate(flops) / 1e9, unit: "GFLOP/s", floor: floor, floorName: "sgemm_raw",
                        trials: times.seconds.count, spread: times.spread))
                }
            }
        }
    }
}
