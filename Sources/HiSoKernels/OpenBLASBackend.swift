#if OpenBLAS
/// The OpenBLAS backend: CBLAS for GEMM, GEMV and the reductions, AVX2 C kernels (chosen by a
/// run-time CPU check, with a safe scalar fallback) for the perturbation stream.
///
/// Compiled when the `OpenBLAS` package trait is on (the default).
///
/// Threads: the fused kernels split their elementwise work over ``threads`` threads, which never
/// changes a bit. OpenBLAS's threaded sgemm does: it blocks the product differently per thread
/// count and may round the last bits differently (and splitting the rows ourselves does not help:
/// its small-matrix kernels change with the shape). So by default every BLAS and LAPACK call runs
/// on one thread, and a run's bits never depend on the thread count; training uses the cores
/// through parallel client lanes instead. ``threadedGEMM`` lets OpenBLAS use ``threads`` threads,
/// for benchmarks of the raw GEMM rate and for callers that accept last-bit differences.
public struct OpenBLASBackend: KernelBackend {
    public let threads: Int
    /// Whether BLAS and LAPACK calls use ``threads`` threads (`false`: one thread, the default).
    public let threadedGEMM: Bool
    public var kind: BackendKind { .openblas }

    /// - Parameters:
    ///   - threads: thread count for the fused kernels (and OpenBLAS's pool when `threadedGEMM`).
    ///   - threadedGEMM: run BLAS and LAPACK calls on `threads` threads, at the price of results
    ///     that may differ in the last bits between thread counts.
    public init(threads: Int = 1, threadedGEMM: Bool = false) {
        self.threads = max(1, threads)
        self.threadedGEMM = threadedGEMM
    }

    /// The thread count of BLAS and LAPACK calls: ``threads`` when ``threadedGEMM``, else 1.
    var blasThreads: Int { threadedGEMM ? threads : 1 }
}
#endif
