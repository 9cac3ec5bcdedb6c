/// Non-overlapping `k x k` max pooling (stride `k`), optionally fused with a per-channel bias
/// and ReLU: `y[b, c, i, j] = relu?(max_{u,v < k} x[b, c, i*k + u, j*k + v] + bias[c])`.
///
/// The input may be in either layout; the output is always `bchw`. Adding the bias after the
/// maximum is exact (float rounding of `x + b` is monotone in `x`) and costs a quarter of the
/// additions.
enum MaxPooling {
    /// Geometry of one pooling call.
    struct Geometry {
        let channels: Int
        let height: Int
        let width: Int
        let kernel: Int
        let outHeight: Int
        let outWidth: Int
    }

    /// `a > b ? a : b`: the form that compiles to one `maxps` (and vectorises); `b` when either
    /// is NaN.
    @inline(__always)
    static func larger(_ a: Float, _ b: Float) -> Float { a > b ? a : b }

    /// Forward pass. Complexity: one read of the covered input, one write of the output.
    static func forward(
        input: UnsafePointer<Float>, layout: ActivationLayout, geometry g: Geometry, count: Int,
        bias: UnsafePointer<Float>?, relu: Bool, output: UnsafeMutablePointer<Float>
    ) {
        let plane = g.height &* g.width
        let (channelStride, sampleStride) = layout.strides(channels: g.channels, plane: plane, count: count)
        let outPlane = g.outHeight &* g.outWidth
        let floor: Float = relu ? 0 : -.infinity
        for c in 0..<g.channels {
            let b = bias?[c] ?? 0
            for s in 0..<count {
                let src = input + (c &* channelStride &+ s &* sampleStride)
                let dst = output + (s &* g.channels &+ c) &* outPlane
                if g.kernel == 2 {
                    for i in 0..<g.outHeight {
                        let r0 = src + (2 &* i) &* g.width
                        let r1 = r0 + g.width
                        let d = dst + i &* g.outWidth
                        for j in 0..<g.outWidth {
                            let m = larger(larger(r0[2 &* j], r0[2 &* j &+ 1]), larger(r1[2 &* j], r1[2 &* j &+ 1]))
                            d[j] = larger(m + b, floor)
                        }
                    }
                } else {
                    for i in 0..<g.outHeight {
                        for j in 0..<g.outWidth {
                            var m = -Float.infinity
                            for u in 0..<g.kernel {
                                let r = src + ((i &* g.kernel &+ u) &* g.width &+ j &* g.kernel)
                                for v in 0..<g.kernel { m = max(m, r[v]) }
                            }
                            dst[i &* g.outWidth &+ j] = max(m + b, floor)
                        }
                    }
                }
            }
        }
    }

    /// Backward pass: routes `dOutput[b, c, i, j]` to the first maximum of its window in
    /// `dInput` (row-major scan, as PyTorch), after the ReLU mask `output > 0` when `relu`.
    /// Positions that are not a window maximum get 0. When `biasGradient` is given it receives
    /// `sum_{b,i,j}` of the routed gradients per channel.
    ///
    /// Complexity: one read of the covered input, one write of `dInput` (zeroed here).
    static func backward(
        input: UnsafePointer<Float>, layout: ActivationLayout, geometry g: Geometry, count: Int,
        output: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, relu: Bool,
        dInput: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?
    ) {
        let plane = g.height &* g.width
        let (channelStride, sampleStride) = layout.strides(channels: g.channels, plane: plane, count: count)
        let outPlane = g.outHeight &* g.outWidth
        dInput.update(repeating: 0, count: g.channels &* count &* plane)
        for c in 0..<g.channels {
            var sum: Float = 0
            for s in 0..<count {
                let base = c &* channelStride &+ s &* sampleStride
                let src = input + base
                let dst = dInput + base
                let o = (s &* g.channels &+ c) &* outPlane
                for i in 0..<g.outHeight {
                    for j in 0..<g.outWidth {
                        let grad = dOutput[o &+ i &* g.outWidth &+ j]
                        if relu && !(output[o &+ i &* g.outWidth &+ j] > 0) { continue }
                        var best = -Float.infinity
                        var at = (i &* g.kernel) &* g.width &+ j &* g.kernel
                        for u in 0..<g.kernel {
                            let rowStart = (i &* g.kernel &+ u) &* g.width &+ j &* g.kernel
                            for v in 0..<g.kernel where src[rowStart &+ v] > best {
                                best = src[rowStart &+ v]
                                at = rowStart &+ v
                            }
                        }
                        dst[at] = grad
                        sum += grad
                    }
                }
            }
            biasGradient?[c] = sum
        }
    }
}
