/// One set of numerical kernels: the seeded perturbation stream, the fused zeroth-order kernels
/// and the dense linear algebra that forward passes need.
///
/// Every type conforming to this protocol must give **bit-identical** results for the
/// perturbation stream and for every elementwise kernel, whatever its thread count, chunking or
/// start offset. GEMM and the reductions (dot, nrm2) may differ in rounding between backends
/// (relative difference at most 1e-5).
///
/// The protocol is split in three parts:
/// - ``PerturbationKernels``: the stream and the fused ZO kernels;
/// - ``LinearAlgebraKernels``: GEMM, GEMV, dot, nrm2, scal and elementwise helpers;
/// - ``PatchKernels``: the convolution patch gather (im2col), bit-identical across backends.
public protocol KernelBackend: PerturbationKernels, LinearAlgebraKernels, PatchKernels {
    /// Which backend this is.
    var kind: BackendKind { get }
    /// The number of threads the fused kernels and the Swift GEMM use; no result depends on it
    /// (OpenBLAS's GEMM uses it only when asked, see `OpenBLASBackend.threadedGEMM`). At least 1.
    var threads: Int { get }
}
