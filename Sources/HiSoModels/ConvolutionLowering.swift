import HiSoKernels

/// im2col / col2im: lower a batched convolution to GEMMs (one per block of samples) and back.
///
/// The column matrix has `patch = C * k * k` rows, indexed `r = (c * k + u) * k + v`, and
/// `count * OH * OW` columns indexed `(b * OH + i) * OW + j`, so that
/// `cols[r, (b, i, j)] = x[b, c, i*s + u - p, j*s + v - p]` (0 outside the input), and the
/// convolution is `z = W[Cout x patch] * cols`, which lands in `cbhw` layout.
///
/// With padding, the input is first copied into the interior of a zero-bordered buffer
/// (``pad(_:layout:step:count:into:)``), so that for stride 1 every output row of `cols` is one
/// contiguous, branch-free copy of `OW` floats (the backend's patch gather).
enum ConvolutionLowering {
    /// Copies the input into the interior of the padded `bchw` buffer
    /// `[count, C, H + 2p, W + 2p]`, whose borders stay zero.
    ///
    /// Complexity: one copy of the input. Memory: none.
    static func pad(
        _ input: UnsafePointer<Float>, layout: ActivationLayout, step: ConvStep, count: Int,
        into padded: UnsafeMutablePointer<Float>
    ) {
        let height = step.inHeight
        let width = step.inWidth
        let p = step.padding
        let pw = width &+ 2 &* p
        let paddedPlane = (height &+ 2 &* p) &* pw
        let (channelStride, sampleStride) = layout.strides(
            channels: step.inChannels, plane: height &* width, count: count)
        for b in 0..<count {
            for c in 0..<step.inChannels {
                let src = input + (c &* channelStride &+ b &* sampleStride)
                let dst = padded + ((b &* step.inChannels &+ c) &* paddedPlane &+ p &* pw &+ p)
                for y in 0..<height {
                    VectorCopy.copy(src + y &* width, to: dst + y &* pw, count: width)
                }
            }
        }
    }

    /// Fills `cols` (`patch x samples.count*OH*OW`, row-major) with the columns of the samples
    /// `samples` of a batch of `count`: from the step's padded buffer when it has padding (call
    /// ``pad(_:layout:step:count:into:)`` first), else from `input`. The copy itself is the
    /// backend's ``PatchKernels/gatherPatches(_:source:samples:into:)``.
    ///
    /// Complexity: `patch * samples.count * OH * OW` stores. Memory: none beyond `cols`.
    static func im2col(
        input: UnsafePointer<Float>, padded: UnsafePointer<Float>?, step: ConvStep, count: Int,
        samples: Range<Int>, cols: UnsafeMutablePointer<Float>, backend: any KernelBackend
    ) {
        let (source, geometry) = patchSource(
            input: input, padded: padded, step: step, count: count, kernelHeight: step.kernel,
            outHeight: step.outHeight)
        backend.gatherPatches(geometry, source: source, samples: samples, into: cols)
    }

    /// The planes a patch gather reads (the padded copy when there is one) and its geometry for
    /// `kernelHeight x k` windows over `outHeight x OW` positions.
    static func patchSource(
        input: UnsafePointer<Float>, padded: UnsafePointer<Float>?, step: ConvStep, count: Int, kernelHeight: Int,
        outHeight: Int
    ) -> (UnsafePointer<Float>, PatchGeometry) {
        if let padded {
            let height = step.inHeight &+ 2 &* step.padding
            let width = step.inWidth &+ 2 &* step.padding
            return (
                padded,
                PatchGeometry(
                    channels: step.inChannels, channelStride: height &* width,
                    sampleStride: step.inChannels &* height &* width, width: width, kernelHeight: kernelHeight,
                    kernelWidth: step.kernel, stride: step.stride, outHeight: outHeight, outWidth: step.outWidth)
            )
        }
        let (channelStride, sampleStride) = step.inputLayout.strides(
            channels: step.inChannels, plane: step.inHeight &* step.inWidth, count: count)
        return (
            input,
            PatchGeometry(
                channels: step.inChannels, channelStride: channelStride, sampleStride: sampleStride,
                width: step.inWidth, kernelHeight: kernelHeight, kernelWidth: step.kernel, stride: step.stride,
                outHeight: outHeight, outWidth: step.outWidth)
        )
    }

    /// Reorders a convolution's weights `W[co, c, u, v]` into the row-split layout
    /// `W_u[co, (c, v)]` at `out + u * Cout * C * k` (see ``ConvStep/splitsKernelRows``).
    ///
    /// Complexity: one copy of the weights. Memory: none.
    static func splitWeights(_ w: UnsafePointer<Float>, step: ConvStep, into out: UnsafeMutablePointer<Float>) {
        let k = step.kernel
        let depth = step.inChannels &* k
        for u in 0..<k {
            for co in 0..<step.outChannels {
                let dst = out + (u &* step.outChannels &+ co) &* depth
                let src = w + (co &* step.patch &+ u &* k)
                for c in 0..<step.inChannels {
                    for v in 0..<k { dst[c &* k &+ v] = src[c &* k &* k &+ v] }
                }
            }
        }
    }

    /// One sample of a row-split convolution (``ConvStep/splitsKernelRows``):
    /// `output[co, (i, j)] = sum_u W_u * R[:, u*OW + (i, j)]`, `R` gathered into `scratch`.
    ///
    /// - Parameters:
    ///   - weights: the ``splitWeights(_:step:into:)`` layout.
    ///   - output: `Cout` rows of `OH * OW` floats, row stride `ldc`.
    /// Complexity: `C k * H' * OW` stores, then `k` GEMMs of `2 Cout (C k) OH OW` flops.
    static func rowSplitConvolution(
        input: UnsafePointer<Float>, padded: UnsafePointer<Float>?, step: ConvStep, count: Int, sample: Int,
        weights: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
        ldc: Int, backend: any KernelBackend
    ) {
        let rows = step.rowSplitRows
        let (source, geometry) = patchSource(
            input: input, padded: padded, step: step, count: count, kernelHeight: 1, outHeight: rows)
        backend.gatherPatches(geometry, source: source, samples: sample..<(sample + 1), into: scratch)
        let depth = step.inChannels &* step.kernel
        for u in 0..<step.kernel {
            backend.gemm(
                transA: false, transB: false, m: step.outChannels, n: step.outPlane, k: depth, alpha: 1,
                a: weights + u &* step.outChannels &* depth, lda: depth, b: scratch + u &* step.outWidth,
                ldb: rows &* step.outWidth, beta: u == 0 ? 0 : 1, c: output, ldc: ldc)
        }
    }

    /// Adds the column gradients of the samples `samples` (a block laid out as ``im2col``
    /// writes it) back onto the input gradient: the adjoint of ``im2col``,
    /// `dx[b, c, y, x] += dcols[r, (b, i, j)]` for every `(r, i, j)` that read `x[b, c, y, x]`
    /// (reads of the zero border are dropped).
    ///
    /// `dInput` (in the step's input layout) must be zeroed or hold a gradient to add to.
    /// Complexity: as ``im2col``.
    static func col2im(
        columns: UnsafePointer<Float>, step: ConvStep, count: Int, samples: Range<Int>,
        dInput: UnsafeMutablePointer<Float>, layout: ActivationLayout
    ) {
        let height = step.inHeight
        let width = step.inWidth
        let oh = step.outHeight
        let ow = step.outWidth
        let k = step.kernel
        let s = step.stride
        let p = step.padding
        let plane = height &* width
        let (channelStride, sampleStride) = layout.strides(channels: step.inChannels, plane: plane, count: count)
        let n = samples.count &* oh &* ow
        for c in 0..<step.inChannels {
            for u in 0..<k {
                for v in 0..<k {
                    let row = columns + ((c &* k &+ u) &* k &+ v) &* n
                    for b in samples {
                        let dst0 = dInput + (c &* channelStride &+ b &* sampleStride)
                        let src0 = row + (b &- samples.lowerBound) &* oh &* ow
                        for i in 0..<oh {
                            let y = i &* s &+ u &- p
                            if y < 0 || y >= height { continue }
                            let src = src0 + i &* ow
                            let dst = dst0 + y &* width
                            for j in 0..<ow {
                                let x = j &* s &+ v &- p
                                if x >= 0 && x < width { dst[x] += src[j] }
                            }
                        }
                    }
                }
            }
        }
    }
}
