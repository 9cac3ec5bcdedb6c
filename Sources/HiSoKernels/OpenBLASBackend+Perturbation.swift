#if OpenBLAS
internal import CHiSoSIMD

/// The perturbation stream and fused ZO kernels through the C kernels of `CHiSoSIMD`.
///
/// The C code takes the AVX2 path when ``CStreamKernels/hasAVX2`` (a run-time CPU check) and the
/// scalar C path otherwise; both give the bits of ``SwiftBackend``. Each kernel splits its index
/// range into ``OpenBLASBackend/threads`` contiguous parts (``ParallelRange``); results do not
/// depend on the thread count. Memory: a few tens of KiB of stack per thread, nothing on the heap.
extension OpenBLASBackend: FusedStepKernels {
    public func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, seed: UInt64, stream: UInt64, offset: Int) {
        CStreamKernels(threads: threads, avx2: CStreamKernels.hasAVX2)
            .fillNormal(out, seed: seed, stream: stream, offset: offset)
    }

    public func perturb(
        _ x: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?,
        seed: UInt64, stream: UInt64, offset: Int
    ) {
        stepPerturb(x, alpha: alpha, scale: scale, direction: .stream(seed: seed, stream: stream, offset: offset))
    }

    public func perturbed(
        _ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>, alpha: Float,
        scale: UnsafeBufferPointer<Float>?, seed: UInt64, stream: UInt64, offset: Int
    ) {
        CStreamKernels(threads: threads, avx2: CStreamKernels.hasAVX2)
            .perturbed(x, into: out, alpha: alpha, scale: scale, seed: seed, stream: stream, offset: offset)
    }

    public func accumulate(
        _ x: UnsafeMutableBufferPointer<Float>, coefficients: UnsafeBufferPointer<Float>,
        scale: UnsafeBufferPointer<Float>?, seed: UInt64, offset: Int
    ) {
        CStreamKernels(threads: threads, avx2: CStreamKernels.hasAVX2)
            .accumulate(x, coefficients: coefficients, scale: scale, seed: seed, offset: offset)
    }

    public func hessianEMA(
        _ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, seed: UInt64, beta: Float, offset: Int
    ) {
        CStreamKernels(threads: threads, avx2: CStreamKernels.hasAVX2)
            .hessianEMA(h, scale: scale, coefficients: coefficients, seed: seed, beta: beta, offset: offset)
    }

    public func hessianPaperUpdate(
        _ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, clients: Int, seed: UInt64, nu: Float,
        epsilon: Float, offset: Int
    ) {
        CStreamKernels(threads: threads, avx2: CStreamKernels.hasAVX2)
            .hessianPaperUpdate(
                h, scale: scale, coefficients: coefficients, clients: clients, seed: seed, nu: nu, epsilon: epsilon,
                offset: offset)
    }

    public func refreshScale(_ s: UnsafeMutableBufferPointer<Float>, from h: UnsafeBufferPointer<Float>, floor: Float) {
        CStreamKernels(threads: threads, avx2: CStreamKernels.hasAVX2).refreshScale(s, from: h, floor: floor)
    }

    func stepPerturb(
        _ x: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?,
        direction: ZODirection
    ) {
        CStreamKernels(threads: threads, avx2: CStreamKernels.hasAVX2)
            .stepPerturb(x, alpha: alpha, scale: scale, direction: direction)
    }

    func stepRestoreUpdate(
        _ x: UnsafeMutableBufferPointer<Float>, coefficient: Float, scale: UnsafeBufferPointer<Float>?,
        direction: ZODirection
    ) {
        CStreamKernels(threads: threads, avx2: CStreamKernels.hasAVX2)
            .stepRestoreUpdate(x, coefficient: coefficient, scale: scale, direction: direction)
    }

    func stepHiSoUpdate(
        _ x: UnsafeMutableBufferPointer<Float>, hessian h: UnsafeMutableBufferPointer<Float>,
        scale s: UnsafeMutableBufferPointer<Float>, restoreCoefficient: Float, updateCoefficient: Float,
        beta: Float, floor: Float?, direction: ZODirection
    ) {
        CStreamKernels(threads: threads, avx2: CStreamKernels.hasAVX2)
            .stepHiSoUpdate(
                x, hessian: h, scale: s, restoreCoefficient: restoreCoefficient,
                updateCoefficient: updateCoefficient, beta: beta, floor: floor, direction: direction)
    }
}
#endif
