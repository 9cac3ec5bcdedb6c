/// The perturbation stream and fused ZO kernels in pure Swift.
///
/// Each kernel splits its index range into ``SwiftBackend/threads`` contiguous parts
/// (``ParallelRange``) and runs ``SwiftStreamKernels`` on each; results do not depend on the
/// thread count. Memory: a few KiB of stack scratch per thread, nothing on the heap.
extension SwiftBackend: FusedStepKernels {
    public func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, seed: UInt64, stream: UInt64, offset: Int) {
        precondition(offset >= 0, "negative stream offset \(offset)")
        guard let base = out.baseAddress else { return }
        ParallelRange.forEach(count: out.count, threads: threads) { lo, hi in
            SwiftStreamKernels.fill(base + lo, count: hi - lo, seed: seed, stream: stream, j0: offset + lo)
        }
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
        StreamKernelChecks.perturbed(x, out, scale: scale, offset: offset)
        guard let xb = x.baseAddress, let ob = out.baseAddress else { return }
        let sb = scale?.baseAddress
        ParallelRange.forEach(count: x.count, threads: threads) { lo, hi in
            SwiftStreamKernels.perturb(
                xb + lo, ob + lo, count: hi - lo, alpha: alpha, scale: sb.map { $0 + lo },
                direction: .stream(seed: seed, stream: stream, offset: offset + lo))
        }
    }

    public func accumulate(
        _ x: UnsafeMutableBufferPointer<Float>, coefficients: UnsafeBufferPointer<Float>,
        scale: UnsafeBufferPointer<Float>?, seed: UInt64, offset: Int
    ) {
        StreamKernelChecks.elementwise(x.count, scale: scale, offset: offset)
        guard let xb = x.baseAddress else { return }
        let sb = scale?.baseAddress
        ParallelRange.forEach(count: x.count, threads: threads) { lo, hi in
            SwiftStreamKernels.accumulate(
                xb + lo, count: hi - lo, coefficients: coefficients, scale: sb.map { $0 + lo },
                seed: seed, j0: offset + lo)
        }
    }

    public func hessianEMA(
        _ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, seed: UInt64, beta: Float, offset: Int
    ) {
        StreamKernelChecks.elementwise(h.count, scale: scale, offset: offset)
        guard let hb = h.baseAddress, let sb = scale.baseAddress else { return }
        ParallelRange.forEach(count: h.count, threads: threads) { lo, hi in
            SwiftStreamKernels.hessianEMA(
                hb + lo, scale: sb + lo, count: hi - lo, coefficients: coefficients, seed: seed, beta: beta,
                j0: offset + lo)
        }
    }

    public func hessianPaperUpdate(
        _ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, clients: Int, seed: UInt64, nu: Float,
        epsilon: Float, offset: Int
    ) {
        StreamKernelChecks.paper(h.count, scale: scale, coefficients: coefficients, clients: clients, offset: offset)
        guard let hb = h.baseAddress, let sb = scale.baseAddress else { return }
        ParallelRange.forEach(count: h.count, threads: threads) { lo, hi in
            SwiftStreamKernels.hessianPaper(
                hb + lo, scale: sb + lo, count: hi - lo, coefficients: coefficients, clients: clients,
                seed: seed, nu: nu, epsilon: epsilon, j0: offset + lo)
        }
    }

    public func refreshScale(_ s: UnsafeMutableBufferPointer<Float>, from h: UnsafeBufferPointer<Float>, floor: Float) {
        precondition(s.count == h.count, "scale has \(s.count) elements, hessian \(h.count)")
        guard let sb = s.baseAddress, let hb = h.baseAddress else { return }
        ParallelRange.forEach(count: s.count, threads: threads) { lo, hi in
            SwiftStreamKernels.refresh(sb + lo, hb + lo, count: hi - lo, floor: floor)
        }
    }

    func stepPerturb(
        _ x: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?,
        direction: ZODirection
    ) {
        StreamKernelChecks.direction(x.count, scale: scale, direction: direction)
        guard let xb = x.baseAddress else { return }
        let sb = scale?.baseAddress
        ParallelRange.forEach(count: x.count, threads: threads) { lo, hi in
            SwiftStreamKernels.perturb(
                xb + lo, xb + lo, count: hi - lo, alpha: alpha, scale: sb.map { $0 + lo },
                direction: direction.advanced(by: lo))
        }
    }

    func stepRestoreUpdate(
        _ x: UnsafeMutableBufferPointer<Float>, coefficient: Float, scale: UnsafeBufferPointer<Float>?,
        direction: ZODirection
    ) {
        StreamKernelChecks.direction(x.count, scale: scale, direction: direction)
        guard let xb = x.baseAddress else { return }
        let sb = scale?.baseAddress
        ParallelRange.forEach(count: x.count, threads: threads) { lo, hi in
            SwiftStreamKernels.restoreUpdate(
                xb + lo, count: hi - lo, coefficient: coefficient, scale: sb.map { $0 + lo },
                direction: direction.advanced(by: lo))
        }
    }

    func stepHiSoUpdate(
        _ x: UnsafeMutableBufferPointer<Float>, hessian h: UnsafeMutableBufferPointer<Float>,
        scale s: UnsafeMutableBufferPointer<Float>, restoreCoefficient: Float, updateCoefficient: Float,
        beta: Float, floor: Float?, direction: ZODirection
    ) {
        StreamKernelChecks.hiso(x.count, h.count, s.count, direction: direction)
        guard let xb = x.baseAddress, let hb = h.baseAddress, let sb = s.baseAddress else { return }
        ParallelRange.forEach(count: x.count, threads: threads) { lo, hi in
            SwiftStreamKernels.hisoUpdate(
                xb + lo, hb + lo, sb + lo, count: hi - lo, restore: restoreCoefficient, update: updateCoefficient,
                beta: beta, floor: floor, direction: direction.advanced(by: lo))
        }
    }
}
