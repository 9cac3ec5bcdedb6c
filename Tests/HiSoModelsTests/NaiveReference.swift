import Foundation
import HiSoModels

/// An independent, loop-by-loop float64 implementation of a layer list on `[batch, C, H, W]`
/// inputs, written directly from the PyTorch definitions (no im2col, no fusion, no GEMM).
/// The tests compare the optimised float32 network against it.
struct NaiveReference {
    let network: Network

    /// A batch of activations: `values[b]` is one sample, flattened `[C, H, W]`.
    struct Tensor {
        var shape: TensorShape
        var values: [[Double]]
    }

    /// The logits `[batch][classes]` for `parameters` and `inputs` (`count` samples).
    func logits(parameters: [Double], inputs: [Double], count: Int) -> [[Double]] {
        let f = network.inputShape.count
        var t = Tensor(shape: network.inputShape, values: (0..<count).map { Array(inputs[$0 * f..<($0 + 1) * f]) })
        for (index, layer) in network.layers.enumerated() {
            t = apply(layer, index: index, to: t, parameters: parameters)
        }
        return t.values
    }

    /// Mean softmax cross-entropy, computed as `-log(softmax(z)[label])` in float64.
    func loss(parameters: [Double], inputs: [Double], labels: [Int32], count: Int) -> Double {
        let z = logits(parameters: parameters, inputs: inputs, count: count)
        var total = 0.0
        for b in 0..<count {
            let m = z[b].max()!
            let s = z[b].reduce(0) { $0 + exp($1 - m) }
            total += -(z[b][Int(labels[b])] - m - log(s))
        }
        return total / Double(count)
    }

    private func weights(_ index: Int, _ parameters: [Double]) -> (w: ArraySlice<Double>, b: ArraySlice<Double>) {
        let w = network.slice(named: "\(index).weight")!
        let b = network.slice(named: "\(index).bias")!
        return (parameters[w.range], parameters[b.range])
    }

    private func apply(_ layer: Layer, index: Int, to t: Tensor, parameters: [Double]) -> Tensor {
        let s = t.shape
        switch layer {
        case .linear(let inputs, let outputs):
            let (w, b) = weights(index, parameters)
            let weights = Array(w)
            let values = t.values.map { x in
                weights.withUnsafeBufferPointer { w in
                    x.withUnsafeBufferPointer { x in
                        (0..<outputs).map { o in
                            var acc = b[b.startIndex + o]
                            for i in 0..<inputs { acc += w[o * inputs + i] * x[i] }
                            return acc
                        }
                    }
                }
            }
            return Tensor(shape: .flat(outputs), values: values)
        case .conv2d(let cin, let cout, let k, let stride, let pad):
            let (w, b) = weights(index, parameters)
            let oh = (s.height + 2 * pad - k) / stride + 1
            let ow = (s.width + 2 * pad - k) / stride + 1
            let weights = Array(w)
            let values = t.values.map { x in
                var y = [Double](repeating: 0, count: cout * oh * ow)
                weights.withUnsafeBufferPointer { w in
                    x.withUnsafeBufferPointer { x in
                        for o in 0..<cout {
                            for i in 0..<oh {
                                for j in 0..<ow {
                                    var acc = b[b.startIndex + o]
                                    for c in 0..<cin {
                                        for u in 0..<k {
                                            let yy = i * stride + u - pad
                                            guard yy >= 0, yy < s.height else { continue }
                                            for v in 0..<k {
                                                let xx = j * stride + v - pad
                                                guard xx >= 0, xx < s.width else { continue }
                                                acc +=
                                                    w[((o * cin + c) * k + u) * k + v]
                                                    * x[(c * s.height + yy) * s.width + xx]
                                            }
                                        }
                                    }
                                    y[(o * oh + i) * ow + j] = acc
                                }
                            }
                        }
                    }
                }
                return y
            }
            return Tensor(shape: TensorShape(channels: cout, height: oh, width: ow), values: values)
        case .relu:
            return Tensor(shape: s, values: t.values.map { $0.map { max($0, 0) } })
        case .maxPool2d(let k):
            let oh = s.height / k
            let ow = s.width / k
            let values = t.values.map { x in
                var y = [Double](repeating: 0, count: s.channels * oh * ow)
                for c in 0..<s.channels {
                    for i in 0..<oh {
                        for j in 0..<ow {
                            var m = -Double.infinity
                            for u in 0..<k {
                                for v in 0..<k { m = max(m, x[(c * s.height + i * k + u) * s.width + j * k + v]) }
                            }
                            y[(c * oh + i) * ow + j] = m
                        }
                    }
                }
                return y
            }
            return Tensor(shape: TensorShape(channels: s.channels, height: oh, width: ow), values: values)
        case .flatten:
            return Tensor(shape: .flat(s.count), values: t.values)
        }
    }
}
