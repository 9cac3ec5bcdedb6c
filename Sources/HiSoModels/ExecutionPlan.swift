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
/// Forward: `xp = pad(x)` (with padding), `cols = im2col(xp)`, `z = W * cols` (one GEMM over the batch, `z` in `cbhw`), then
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
    /// Largest im2col matrix per sample over the convolutions (0 without convolutions).
    let colsPerSample: Int
}
