#if OpenBLAS
/// The OpenBLAS backend: CBLAS for GEMM, GEMV and the reductions, AVX2 C kernels (chosen by a
/// run-time CPU check, with a safe scalar fallback) for the perturbation stream.
///
/// Compiled when the `OpenBLAS` package trait is on (the default).
public struct OpenBLASBackend: KernelBackend {
    public let threads: Int
    public var kind: BackendKind { .openblas }

    /// - Parameter threads: thread count for the fused kernels and OpenBLAS's own pool.
    public init(threads: Int = 1) { self.threads = max(1, threads) }
}
#endif
