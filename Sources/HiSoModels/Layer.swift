/// One layer of a ``Network``, described by its hyperparameters only (its weights live in the
/// flat parameter vector).
///
/// Parameter layout (PyTorch's, so a `torch.nn.Sequential` state dict maps 1:1): a layer with
/// weights contributes `weight` then `bias`, in layer order.
/// - ``linear(inputs:outputs:)``: weight `[outputs, inputs]`, bias `[outputs]`;
///   `y = x W^T + b`. Its input must be flat (use ``flatten`` after convolutions).
/// - ``conv2d(inChannels:outChannels:kernel:stride:padding:)``: weight
///   `[outChannels, inChannels, kernel, kernel]`, bias `[outChannels]`; cross-correlation with
///   zero padding,
///   `y[o, i, j] = b[o] + sum_{c,u,v} W[o, c, u, v] x[c, i*stride + u - padding, j*stride + v - padding]`.
/// - ``relu``: `y = max(x, 0)`.
/// - ``maxPool2d(kernel:)``: non-overlapping `kernel x kernel` max pooling (stride = kernel,
///   no padding, trailing rows/columns that do not fill a window are dropped, as in PyTorch).
/// - ``flatten``: `[C, H, W] -> [C*H*W]` in PyTorch's order.
public enum Layer: Sendable, Hashable, CustomStringConvertible {
    case linear(inputs: Int, outputs: Int)
    case conv2d(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0)
    case relu
    case maxPool2d(kernel: Int)
    case flatten

    /// Number of trainable parameters (weight plus bias).
    public var parameterCount: Int {
        switch self {
        case .linear(let i, let o): return o * i + o
        case .conv2d(let ci, let co, let k, _, _): return co * ci * k * k + co
        case .relu, .maxPool2d, .flatten: return 0
        }
    }

    /// Fan-in of one output unit (`inputs`, or `inChannels * kernel^2`); 0 for layers without weights.
    public var fanIn: Int {
        switch self {
        case .linear(let i, _): return i
        case .conv2d(let ci, _, let k, _, _): return ci * k * k
        case .relu, .maxPool2d, .flatten: return 0
        }
    }

    public var description: String {
        switch self {
        case .linear(let i, let o): return "Linear(\(i) -> \(o))"
        case .conv2d(let ci, let co, let k, let s, let p): return "Conv2d(\(ci) -> \(co), k\(k), s\(s), p\(p))"
        case .relu: return "ReLU"
        case .maxPool2d(let k): return "MaxPool2d(\(k))"
        case .flatten: return "Flatten"
        }
    }
}
