/// Preallocated buffers for one first-order step (a recording forward pass and the backward pass
/// through the trainable layers), so that a step allocates nothing.
///
/// Kept per trainable layer and token (floats), copied out of the plain forward pass: the layer
/// input `x0` (h), `[Q K V]` with its bias (3h), the attention context (h), the residual sum before
/// the first LayerNorm without its bias (h), that LayerNorm's output `x1` (h), the FFN
/// pre-activation without its bias (I), `GELU(u)` (I), and the residual sum before the second
/// LayerNorm without its bias (h): `8 h + 2 I` floats, 24.6 KB per token and layer for MiniLM
/// (50 MB per layer at 2,048 tokens). The backward pass recomputes the LayerNorm statistics from
/// the kept sums (`O(h)` per row) and the attention probabilities per (sequence, head) into an
/// `S x S` buffer, rather than keeping them.
/// Scratch shared by the layers: `5 h + I + 2 r` floats per token, `2 S^2`, `batch h`.
/// The row layout, the frozen prefix, the last layer's output and the pooling use ``forward``,
/// a ``BertWorkspace``.
///
/// One workspace serves one thread at a time (it is a non-`Sendable` reference type).
public final class BertGradientWorkspace {
    /// What the backward pass keeps of one layer's forward pass (each `tokens x width`, row-major).
    struct LayerRecord {
        /// The layer input `x0` (`h`).
        let input: UnsafeMutablePointer<Float>
        /// `[Q K V]`, bias included (`3h`).
        let qkv: UnsafeMutablePointer<Float>
        /// The attention context `C` (`h`).
        let context: UnsafeMutablePointer<Float>
        /// `x0 + C Wo^T` (`h`): the first LayerNorm's input without the bias `bo`.
        let attentionSum: UnsafeMutablePointer<Float>
        /// The first LayerNorm's output `x1` (`h`).
        let attended: UnsafeMutablePointer<Float>
        /// `x1 Wi^T` (`I`): the FFN pre-activation `u` without the bias `bi`.
        let preActivation: UnsafeMutablePointer<Float>
        /// `GELU(u)` (`I`).
        let activation: UnsafeMutablePointer<Float>
        /// `x1 + GELU(u) Wf^T` (`h`): the second LayerNorm's input without the bias `bf`.
        let outputSum: UnsafeMutablePointer<Float>

        /// Keeps `[Q K V]` and the context of the plain forward's `workspace` (`tokens` rows).
        @inline(__always)
        func keepAttention(_ workspace: BertWorkspace, tokens: Int) {
            qkv.update(from: workspace.qkv, count: tokens * 3 * workspace.hiddenSize)
            context.update(from: workspace.context, count: tokens * workspace.hiddenSize)
        }
    }

    /// The frozen prefix's workspace (row layout, embeddings, cached layers, head-only features).
    public let forward: BertWorkspace
    /// The first layer whose forward pass is recorded (every later layer is recorded too).
    public let firstLayer: Int
    /// Whether the backward pass continues into the embeddings (the ``TrainableSubset/all`` subset).
    public let trainsEmbeddings: Bool
    /// The LoRA rank capacity.
    public let loraRank: Int
    /// Records of layers `firstLayer ..< L`.
    let records: [LayerRecord]
    /// Backward: gradient of the hidden states (`tokens x h`); after a backward pass, the gradient
    /// of the input of layer ``firstLayer``.
    let dHidden: UnsafeMutablePointer<Float>
    /// Backward: gradients of the context (`tokens x h`; also the embeddings' LayerNorm input), of
    /// `[Q K V]` (`tokens x 3h`) and of the FFN activation (`tokens x I`).
    let dContext: UnsafeMutablePointer<Float>, dQKV: UnsafeMutablePointer<Float>, dInner: UnsafeMutablePointer<Float>
    /// Attention scratch of one (sequence, head): the probabilities and their gradient (`S x S` each).
    let probabilities: UnsafeMutablePointer<Float>, dProbabilities: UnsafeMutablePointer<Float>
    /// LoRA down-projection `x A^T` and its gradient (`tokens x r` each).
    let loraDown: UnsafeMutablePointer<Float>, dLoraDown: UnsafeMutablePointer<Float>
    /// The gradient of the mean-pooled embeddings (`batch x h`; the embeddings are in `forward.pooled`).
    let dPooled: UnsafeMutablePointer<Float>
    private let allocations: [UnsafeMutablePointer<Float>]

    /// Allocates a workspace for training `classifier`'s subset.
    ///
    /// - Parameters:
    ///   - classifier: the model and the trainable subset (which layers are recorded).
    ///   - maxBatch: most sequences per step.
    ///   - maxSequenceLength: longest sequence (at most the configuration's position count).
    ///   - maxTokens: most packed tokens per step (default `maxBatch * maxSequenceLength`).
    public convenience init(classifier: BertClassifier, maxBatch: Int, maxSequenceLength: Int, maxTokens: Int? = nil) {
        let configuration = classifier.model.encoder.configuration
        self.init(
            configuration: configuration, firstLayer: classifier.frozenLayers, trainsEmbeddings: classifier.split == 0,
            loraRank: classifier.loraRank, maxBatch: maxBatch, maxSequenceLength: maxSequenceLength, maxTokens: maxTokens)
    }

    /// Allocates a workspace recording layers `firstLayer ..< L` of `configuration`.
    init(
        configuration: BertConfiguration, firstLayer: Int, trainsEmbeddings: Bool, loraRank: Int, maxBatch: Int,
        maxSequenceLength: Int, maxTokens: Int?
    ) {
        precondition(firstLayer >= 0 && firstLayer <= configuration.layerCount, "first layer out of range")
        forward = BertWorkspace(
            configuration: configuration, maxBatch: maxBatch, maxSequenceLength: maxSequenceLength, maxTokens: maxTokens,
            loraRank: loraRank)
        self.firstLayer = firstLayer
        self.trainsEmbeddings = trainsEmbeddings
        self.loraRank = loraRank
        let tokens = forward.maxTokens
        let h = configuration.hiddenSize
        let inner = configuration.intermediateSize
        var allocations: [UnsafeMutablePointer<Float>] = []
        func make(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            allocations.append(p)
            return p
        }
        records = (firstLayer..<configuration.layerCount).map { _ in
            LayerRecord(
                input: make(tokens * h), qkv: make(tokens * 3 * h), context: make(tokens * h),
                attentionSum: make(tokens * h), attended: make(tokens * h), preActivation: make(tokens * inner),
                activation: make(tokens * inner), outputSum: make(tokens * h))
        }
        dHidden = make(tokens * h)
        dContext = make(tokens * h)
        dQKV = make(tokens * 3 * h)
        dInner = make(tokens * inner)
        probabilities = make(maxSequenceLength * maxSequenceLength)
        dProbabilities = make(maxSequenceLength * maxSequenceLength)
        loraDown = make(tokens * loraRank)
        dLoraDown = make(tokens * loraRank)
        dPooled = make(maxBatch * h)
        self.allocations = allocations
    }

    deinit {
        for p in allocations { p.deallocate() }
    }

    /// The record of layer `l` (`l >= firstLayer`).
    @inline(__always)
    func record(_ l: Int) -> LayerRecord { records[l - firstLayer] }

    /// The gradient of the loss with respect to the hidden states entering layer ``firstLayer``
    /// (the cached prefix output, or the embeddings), row `r` of the packed batch, after
    /// ``BertClassifier/lossAndGradient(trainable:texts:indices:labels:gradient:workspace:backend:cache:inputGradient:)``
    /// with `inputGradient: true`.
    public func inputGradient(row r: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: dHidden + r * forward.hiddenSize, count: forward.hiddenSize))
    }
}
