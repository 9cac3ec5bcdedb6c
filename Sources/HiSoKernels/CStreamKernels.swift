#if OpenBLAS
internal import CHiSoSIMD

/// The C stream kernels of `CHiSoSIMD` with an explicit instruction-set choice and thread count.
///
/// ``OpenBLASBackend`` uses it with ``hasAVX2``; the tests also run it with `avx2: false` to
/// check that the scalar C fallback gives the same bits. Threading: ``ParallelRange``.
struct CStreamKernels: PerturbationKernels, FusedStepKernels {
    /// Whether this CPU has AVX2 and FMA (checked once, at first use).
    static let hasAVX2 = chiso_cpu_has_avx2_fma() != 0

    /// Thread count (at least 1).
    let threads: Int
    /// Whether to use the AVX2 generator; must be false on CPUs without AVX2.
    let avx2: Bool

    init(threads: Int, avx2: Bool) {
        precondition(!avx2 || CStreamKernels.hasAVX2, "AVX2 kernels requested on a CPU without AVX2")
        self.threads = max(1, threads)
        self.avx2 = avx2
    }

    private var isa: Int32 { avx2 ? 1 : 0 }

    func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, seed: UInt64, stream: UInt64, offset: Int) {
        precondition(offset >= 0, "negative stream offset \(offset)")
        guard let base = out.baseAddress else { return }
        let isa = self.isa
        ParallelRange.forEach(count: out.count, threads: threads) { lo, hi in
            chiso_fill_normal(base + lo, Int64(hi - lo), seed, stream, UInt64(offset + lo), isa)
        }
    }

    func perturb(
        _ x: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?,
        seed: UInt64, stream: UInt64, offset: Int
    ) {
        stepPerturb(x, alpha: alpha, scale: scale, direction: .stream(seed: seed, stream: stream, offset: offset))
    }

    func perturbed(
        _ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>, alpha: Float,
        scale: UnsafeBufferPointer<Float>?, seed: UInt64, stream: UInt64, offset: Int
    ) {
        StreamKernelChecks.perturbed(x, out, scale: scale, offset: offset)
        guard let xb = x.baseAddress, let ob = out.baseAddress else { return }
        let sb = scale?.baseAddress, isa = self.isa
        ParallelRange.forEach(count: x.count, threads: threads) { lo, hi in
            chiso_perturb(
                xb + lo, ob + lo, Int64(hi - lo), alpha, sb.map { $0 + lo }, nil, nil, seed, stream, UInt64(offset + lo),
                isa)
        }
    }

    func accumulate(
        _ x: UnsafeMutableBufferPointer<Float>, coefficients: UnsafeBufferPointer<Float>,
        scale: UnsafeBufferPointer<Float>?, seed: UInt64, offset: Int
    ) {
        StreamKernelChecks.elementwise(x.count, scale: scale, offset: offset)
        guard let xb = x.baseAddress else { return }
        let sb = scale?.baseAddress, cb = coefficients.baseAddress, streams = Int64(coefficients.count)
        let isa = self.isa
        ParallelRange.forEach(count: x.count, threads: threads) { lo, hi in
            chiso_accumulate(xb + lo, Int64(hi - lo), cb, streams, sb.map { $0 + lo }, seed, UInt64(offset + lo), isa)
        }
    }

    func hessianEMA(
        _ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, seed: UInt64, beta: Float, offset: Int
    ) {
        StreamKernelChecks.elementwise(h.count, scale: scale, offset: offset)
        guard let hb = h.baseAddress, let sb = scale.baseAddress else { return }
        let cb = coefficients.baseAddress, streams = Int64(coefficients.count), isa = self.isa
        ParallelRange.forEach(count: h.count, threads: threads) { lo, hi in
            chiso_hessian_ema(hb + lo, sb + lo, Int64(hi - lo), cb, streams, seed, beta, UInt64(offset + lo), isa)
        }
    }

    func hessianPaperUpdate(
        _ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, clients: Int, seed: UInt64, nu: Float,
        epsilon: Float, offset: Int
    ) {
        StreamKernelChecks.paper(h.count, scale: scale, coefficients: coefficients, clients: clients, offset: offset)
        guard let hb = h.baseAddress, let sb = scale.baseAddress else { return }
        let cb = coefficients.baseAddress, streams = Int64(coefficients.count / clients), isa = self.isa
        ParallelRange.forEach(count: h.count, threads: threads) { lo, hi in
            chiso_hessian_paper(
                hb + lo, sb + lo, Int64(hi - lo), cb, Int64(clients), streams, seed, nu, epsilon, UInt64(offset + lo),
                isa)
        }
    }

    func refreshScale(_ s: UnsafeMutableBufferPointer<Float>, from h: UnsafeBufferPointer<Float>, floor: Float) {
        precondition(s.count == h.count, "scale has \(s.count) elements, hessian \(h.count)")
        guard let sb = s.baseAddress, let hb = h.baseAddress else { return }
        ParallelRange.forEach(count: s.count, threads: threads) { lo, hi in
            chiso_refresh_scale(sb + lo, hb + lo, Int64(hi - lo), floor, isa)
        }
    }

    func stepPerturb(
        _ x: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?,
        direction: ZODirection
    ) {
        StreamKernelChecks.direction(x.count, scale: scale, direction: direction)
        guard let xb = x.baseAddress else { return }
        let sb = scale?.baseAddress, isa = self.isa
        ParallelRange.forEach(count: x.count, threads: threads) { lo, hi in
            let (zb, seed, stream, j0) = CStreamKernels.cDirection(direction, lo)
            chiso_perturb(
                xb + lo, xb + lo, Int64(hi - lo), alpha, sb.map { $0 + lo }, zb, CStreamKernels.cRecord(direction, lo),
                seed, stream, j0, isa)
        }
    }

    func stepRestoreUpdate(
        _ x: UnsafeMutableBufferPointer<Float>, coefficient: Float, scale: UnsafeBufferPointer<Float>?,
        direction: ZODirection
    ) {
        StreamKernelChecks.direction(x.count, scale: scale, direction: direction)
        guard let xb = x.baseAddress else { return }
        let sb = scale?.baseAddress, isa = self.isa
        ParallelRange.forEach(count: x.count, threads: threads) { lo, hi in
            let (zb, seed, stream, j0) = CStreamKernels.cDirection(direction, lo)
            chiso_restore_update(
                xb + lo, Int64(hi - lo), coefficient, sb.map { $0 + lo }, zb, CStreamKernels.cRecord(direction, lo), seed,
                stream, j0, isa)
        }
    }

    func stepHiSoUpdate(
        _ x: UnsafeMutableBufferPointer<Float>, hessian h: UnsafeMutableBufferPointer<Float>,
        scale s: UnsafeMutableBufferPointer<Float>, restoreCoefficient: Float, updateCoefficient: Float,
        beta: Float, floor: Float?, direction: ZODirection
    ) {
        StreamKernelChecks.hiso(x.count, h.count, s.count, direction: direction)
        guard let xb = x.baseAddress, let hb = h.baseAddress, let sb = s.baseAddress else { return }
        let isa = self.isa
        ParallelRange.forEach(count: x.count, threads: threads) { lo, hi in
            let (zb, seed, stream, j0) = CStreamKernels.cDirection(direction, lo)
            chiso_hiso_update(
                xb + lo, hb + lo, sb + lo, Int64(hi - lo), restoreCoefficient, updateCoefficient, beta,
                floor == nil ? 0 : 1, floor ?? 0, zb, CStreamKernels.cRecord(direction, lo), seed, stream, j0, isa)
        }
    }

    /// The C form of a direction window starting at buffer element `lo`: a buffer pointer or
    /// `nil` plus the stream coordinates.
    @inline(__always)
    private static func cDirection(_ direction: ZODirection, _ lo: Int)
        -> (UnsafePointer<Float>?, UInt64, UInt64, UInt64)
    {
        switch direction {
        case .stream(let seed, let stream, let offset), .record(let seed, let stream, let offset, _):
            return (nil, seed, stream, UInt64(offset + lo))
        case .buffer(let z):
            return (z + lo, 0, 0, 0)
        }
    }

    /// Where the C kernel records the generated direction window starting at `lo`, if anywhere.
    @inline(__always)
    private static func cRecord(_ direction: ZODirection, _ lo: Int) -> UnsafeMutablePointer<Float>? {
        if case .record(_, _, _, let into) = direction { return into + lo }
        return nil
    }
}
#endif
