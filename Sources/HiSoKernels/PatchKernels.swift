/// The lowering of a convolution to a GEMM (im2col): copying every input window into one
/// column of a patch matrix.
///
/// For the samples `samples` the patch matrix has `patch = C * kh * kw` rows, indexed
/// `r = (c * kh + u) * kw + v`, and `samples.count * OH * OW` columns indexed
/// `((b - samples.lowerBound) * OH + i) * OW + j`, with
/// `cols[r, (b, i, j)] = source[c, b, i * s + u, j * s + v]`.
/// A convolution is then `W[Cout x patch] * cols`.
///
/// Every backend writes the same bits (this is a copy). The default implementation is the
/// portable Swift one; ``OpenBLASBackend`` uses 256-bit AVX2 moves when the CPU has them.
public protocol PatchKernels: Sendable {
    /// Fills `cols` (row-major, `patch x samples.count * OH * OW`) with the windows of `samples`.
    ///
    /// Complexity: `patch * samples.count * OH * OW` stores, one thread. Memory: none.
    func gatherPatches(
        _ geometry: PatchGeometry, source: UnsafePointer<Float>, samples: Range<Int>,
        into cols: UnsafeMutablePointer<Float>)
}

extension PatchKernels {
    public func gatherPatches(
        _ geometry: PatchGeometry, source: UnsafePointer<Float>, samples: Range<Int>,
        into cols: UnsafeMutablePointer<Float>
    ) {
        SwiftPatches.gather(geometry, source: source, samples: samples, into: cols)
    }
}

/// The portable patch gather: stride-1 window rows are ``VectorCopy`` copies.
enum SwiftPatches {
    /// See ``PatchKernels/gatherPatches(_:source:samples:into:)``.
    static func gather(
        _ g: PatchGeometry, source: UnsafePointer<Float>, samples: Range<Int>, into cols: UnsafeMutablePointer<Float>
    ) {
        let oh = g.outHeight
        let ow = g.outWidth
        let kh = g.kernelHeight
        let kw = g.kernelWidth
        let s = g.stride
        let outPlane = oh &* ow
        let n = samples.count &* outPlane
        for c in 0..<g.channels {
            for u in 0..<kh {
                for v in 0..<kw {
                    let row = cols + ((c &* kh &+ u) &* kw &+ v) &* n
                    for b in samples {
                        let src = source + (c &* g.channelStride &+ b &* g.sampleStride &+ u &* g.width &+ v)
                        let dst = row + (b &- samples.lowerBound) &* outPlane
                        if s == 1 {
                            for i in 0..<oh { VectorCopy.copy(src + i &* g.width, to: dst + i &* ow, count: ow) }
                        } else {
                            for i in 0..<oh {
                                let line = src + i &* s &* g.width
                                let out = dst + i &* ow
                                for j in 0..<ow { out[j] = line[j &* s] }
                            }
                        }
                    }
                }
            }
        }
    }
}
