/// Preallocated buffers for batched encoder forward passes, so that a forward pass allocates nothing.
///
/// Sized for at most `maxTokens` packed tokens, `maxBatch` sequences and sequences of at most
/// `maxSequenceLength` tokens. Memory (floats): `tokens * (6 h + I + r) + S^2 + batch * h`
/// with `r` the LoRA rank capacity; about 14.5 MB for MiniLM at 2,048 tokens.
///
/// One workspace serves one thread at a time (it is a non-`Sendable` reference type).
public final class BertWorkspace {
    /// Capacities.
    public let maxTokens: Int, maxBatch: Int, maxSequenceLength: Int, loraRank: Int
    /// Hidden states, `tokens x h` (the encoder output after a forward pass).
    let hidden: UnsafeMutablePointer<Float>
    /// Fused Q/K/V, `tokens x 3h`.
    let qkv: UnsafeMutablePointer<Float>
    /// Attention context, `tokens x h`.
    let context: UnsafeMutablePointer<Float>
    /// Projection output before residual + LayerNorm, `tokens x h`.
    let projected: UnsafeMutablePointer<Float>
    /// FFN inner activations, `tokens x I`.
    let inner: UnsafeMutablePointer<Float>
    /// LoRA down-projection, `tokens x r`.
    let loraDown: UnsafeMutablePointer<Float>
    /// Attention scores of one (sequence, head), `S x S`.
    let scores: UnsafeMutablePointer<Float>
    /// Mean-pooled embeddings, `batch x h` (valid after a forward pass).
    public let pooled: UnsafeMutablePointer<Float>
    /// Row start of each sequence in the packed batch, `batch + 1` entries.
    var rowStarts: [Int]
    /// The hidden size the workspace was made for.
    public let hiddenSize: Int
    private let allocations: [UnsafeMutablePointer<Float>]

    /// Allocates a workspace for `configuration`.
    ///
    /// - Parameters:
    ///   - configuration: the encoder's shape.
    ///   - maxBatch: most sequences per forward pass.
    ///   - maxSequenceLength: longest sequence (at most the configuration's position count).
    ///   - maxTokens: most packed tokens per pass (default `maxBatch * maxSequenceLength`).
    ///   - loraRank: the largest LoRA rank used with it (0 without LoRA).
    public init(
        configuration: BertConfiguration, maxBatch: Int, maxSequenceLength: Int, maxTokens: Int? = nil,
        loraRank: Int = 0
    ) {
        precondition(maxBatch >= 1 && maxSequenceLength >= 1, "workspace sizes must be positive")
        let tokens = maxTokens ?? maxBatch * maxSequenceLength
        let h = configuration.hiddenSize
        self.maxTokens = tokens
        self.maxBatch = maxBatch
        self.maxSequenceLength = maxSequenceLength
        self.loraRank = loraRank
        hiddenSize = h
        func make(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            return p
        }
        hidden = make(tokens * h)
        qkv = make(tokens * 3 * h)
        context = make(tokens * h)
        projected = make(tokens * h)
        inner = make(tokens * configuration.intermediateSize)
        loraDown = make(tokens * loraRank)
        scores = make(maxSequenceLength * maxSequenceLength)
        pooled = make(maxBatch * h)
        allocations = [hidden, qkv, context, projected, inner, loraDown, scores, pooled]
        rowStarts = [Int](repeating: 0, count: maxBatch + 1)
    }

    deinit {
        for p in allocations { p.deallocate() }
    }

    /// The pooled embedding of sequence `b` of the last forward pass.
    public func pooledEmbedding(_ b: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: pooled + b * hiddenSize, count: hiddenSize))
    }
}
