/// Memory layout of a 4-D activation batch.
///
/// - `bchw`: `[batch, channels, height, width]` (PyTorch's NCHW; the API boundary layout).
/// - `cbhw`: `[channels, batch, height, width]`, what one convolution GEMM
///   `W[Cout x K] * cols[K x (batch*H*W)]` produces directly.
enum ActivationLayout: Sendable, Hashable {
    case bchw
    case cbhw

    /// Element strides `(channel, sample)` for a batch of `count` samples of `shape`
    /// (the row stride is `width`, the column stride 1).
    func strides(channels: Int, plane: Int, count: Int) -> (channel: Int, sample: Int) {
        switch self {
        case .bchw: return (plane, channels * plane)
        case .cbhw: return (count * plane, plane)
        }
    }
}

/// One activation buffer of the workspace: `perSample` floats per sample.
struct BufferSpec: Sendable, Hashable {
    let shape: TensorShape
    let layout: ActivationLayout
    var perSample: Int { shape.count }
}

/// Convolution (Conv2d) with optionally fused ReLU and max pooling.
///
/// Forward: `xp = pad(x)` (with padding), then per block of samples (``ExecutionPlan/columnChunks(_:count:)``)
/// `cols = im2col(xp)` and one GEMM `z[:, block] = W * cols` (`z` in `cbhw`) — or, when the step
/// splits kernel rows (``splitsKernelRows``), per sample a 1 x k gather and `k` accumulating
/// GEMMs — then
/// - with pooling: `y = relu?(maxpool(z) + b)` into a `bchw` buffer (pooling first is exact,
///   since rounding `z + b` is monotone in `z`, and it touches a quarter of the values);
/// - otherwise `z = relu?(z + b)` in place.
struct ConvStep: Sendable, Hashable {
    let layer: Int
    let weight: Int
    let bias: Int
    let inChannels: Int
    let outChannels: Int
    let kernel: Int
    let stride: Int
    let padding: Int
    let inHeight: Int
    let inWidth: Int
    let outHeight: Int
    let outWidth: Int
    let input: Int
    let inputLayout: ActivationLayout
    /// With padding: a `bchw` buffer of `[inChannels, inHeight + 2p, inWidth + 2p]` planes whose
    /// zero borders are written once (at workspace creation) and whose interior each pass
    /// overwrites, so im2col needs no bounds logic.
    let paddedInput: Int?
    let output: Int
    let relu: Bool
    let pool: Int
    let pooled: Int
    let poolHeight: Int
    let poolWidth: Int

    /// Rows of the im2col matrix, `inChannels * kernel^2`.
    var patch: Int { inChannels * kernel * kernel }
    /// Output pixels per sample.
    var outPlane: Int { outHeight * outWidth }
    /// The buffer that the next layer reads.
    var result: Int { pool > 0 ? pooled : output }
}

/// Linear layer `y = relu?(x W^T + b)` on a flat `[batch, inputs]` buffer.
struct LinearStep: Sendable, Hashable {
    let layer: Int
    let weight: Int
    let bias: Int
    let inputs: Int
    let outputs: Int
    let input: Int
    let output: Int
    let relu: Bool
}

/// Standalone max pooling, any input layout, `bchw` output.
struct PoolStep: Sendable, Hashable {
    let input: Int
    let inputLayout: ActivationLayout
    let output: Int
    let channels: Int
    let height: Int
    let width: Int
    let kernel: Int
    let outHeight: Int
    let outWidth: Int
}

/// Standalone ReLU into a new buffer of the same layout.
struct ReLUStep: Sendable, Hashable {
    let input: Int
    let output: Int
    let perSample: Int
}

/// `cbhw -> bchw` copy (a Flatten after a convolution without pooling).
struct TransposeStep: Sendable, Hashable {
    let input: Int
    let output: Int
    let channels: Int
    let plane: Int
}

/// One step of the compiled forward pass.
enum Step: Sendable, Hashable {
    case conv(ConvStep)
    case linear(LinearStep)
    case pool(PoolStep)
    case relu(ReLUStep)
    case transpose(TransposeStep)
}

/// The compiled network: steps over numbered buffers. Buffer `-1` is the caller's input batch
/// (`bchw`, read only); the last step's result holds the logits `[batch, classes]`.
struct ExecutionPlan: Sendable, Hashable {
    static let inputBuffer = -1

    let steps: [Step]
    let buffers: [BufferSpec]
    /// The buffer holding the logits.
    let logits: Int
    /// Target size of one im2col block in floats (2^17 floats = 512 KiB, one Zen 3 L2):
    /// convolutions run im2col + GEMM over blocks of samples whose column matrix stays near
    /// this size, so it is written and then packed by the GEMM while still in cache instead of
    /// making a round trip through DRAM. Row-split convolutions (``ConvStep/splitsKernelRows``)
    /// do not use it. Measured on CNN_MNIST at batch 64 (1 thread, OpenBLAS, `hiso-bench
    /// models`, both convolutions still on im2col): 2^16 / 2^17 / 2^18 floats gave forwards of
    /// 5.4 / 5.5 / 6.0 ms, all well below the 7.0-7.7 ms of the unblocked GEMMs alone (one
    /// 20 MB column matrix for conv2).
    static let columnBudget = 1 << 17

    /// Samples per im2col block for `step`: `max(1, columnBudget / (patch * OH * OW))`.
    static func blockSamples(_ step: ConvStep) -> Int {
        max(1, columnBudget / max(1, step.patch * step.outPlane))
    }

    /// The blocks of samples for `step` on a batch of `count`: consecutive ranges of
    /// ``blockSamples(_:)`` samples (the last one shorter).
    func columnChunks(_ step: ConvStep, count: Int) -> SampleBlocks {
        SampleBlocks(count: count, block: Self.blockSamples(step))
    }

    /// Floats of reordered weights the row-split convolutions need (the largest one's weights).
    var splitWeightScratch: Int {
        steps.reduce(0) { size, step in
            guard case .conv(let c) = step, c.splitsKernelRows else { return size }
            return max(size, c.outChannels * c.patch)
        }
    }

    /// Floats of im2col scratch a workspace for `capacity` samples needs (at least one sample's
    /// im2col, which also holds a row-split convolution's `C k x H' OW` gather).
    func columnScratch(capacity: Int) -> Int {
        steps.reduce(0) { size, step in
            guard case .conv(let c) = step else { return size }
            return max(size, c.patch * c.outPlane * min(capacity, Self.blockSamples(c)))
        }
    }
}

/// `0 ..< count` cut into consecutive ranges of `block` samples (the last one shorter).
struct SampleBlocks: Sequence, IteratorProtocol {
    let count: Int
    let block: Int
    private var start = 0

    init(count: Int, block: Int) {
        self.count = count
        self.block = block
    }

    mutating func next() -> Range<Int>? {
        guard start < count else { return nil }
        defer { start += block }
        return start..<Swift.min(count, start + block)
    }
}
