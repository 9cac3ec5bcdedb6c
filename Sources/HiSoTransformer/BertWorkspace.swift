/// Preallocated buffers for batched encoder forward passes, so that a forward pass allocates nothing.
///
/// Sized for at most `maxTokens` packed tokens, `maxBatch` sequences and sequences of at most
/// `maxSequenceLength` tokens. Memory (floats): `tokens * (6 h + I + r + S8 + dh) + batch (h + 7 dh)`
/// with `r` the LoRA rank capacity and `S8` the length rounded up to 8; about 15 MB for MiniLM at
/// 2,048 tokens of length 64.
///
/// A prepared batch (``BertEncoder/prepare(_:texts:indices:workspace:backend:cache:)``) keeps its packed ids, row
/// starts and the frozen prefix's output (its `prefix` buffer) here, so that every forward pass of a
/// zeroth-order step on that batch starts from them without re-checking or recomputing.
///
/// One workspace serves one thread at a time (it is a non-`Sendable` reference type).
public final class BertWorkspace {
    /// Capacities.
    public let maxTokens: Int, maxBatch: Int, maxSequenceLength: Int, loraRank: Int
    /// Hidden states, `tokens x h` (the encoder output after a forward pass).
    let hidden: UnsafeMutablePointer<Float>
    /// The prepared batch's hidden states after its first ``prefixLayers`` layers (0: the
    /// embeddings), `tokens x h`; each forward pass starts by copying them into ``hidden``.
    let prefix: UnsafeMutablePointer<Float>
    /// Fused Q/K/V, `tokens x 3h`.
    let qkv: UnsafeMutablePointer<Float>
    /// Attention context, `tokens x h`.
    let context: UnsafeMutablePointer<Float>
    /// FFN inner activations, `tokens x I`.
    let inner: UnsafeMutablePointer<Float>
    /// LoRA down-projection, `tokens x r`.
    let loraDown: UnsafeMutablePointer<Float>
    /// Attention scores, one row of ``scoreStride`` floats per token (one head at a time).
    let scores: UnsafeMutablePointer<Float>
    /// Floats per score row: `S` rounded up to a multiple of 8.
    let scoreStride: Int
    /// One head's transposed, zero-padded keys per sequence, `dh x S8` at row `(rowStart + 7 b) dh`.
    let keys: UnsafeMutablePointer<Float>
    /// Mean-pooled embeddings, `batch x h` (valid after a forward pass).
    public let pooled: UnsafeMutablePointer<Float>
    /// Row start of each sequence in the packed batch, `batch + 1` entries.
    var rowStarts: [Int]
    /// The packed token ids of the prepared batch, `maxTokens` entries.
    var packedIds: [Int32]
    /// The prepared batch's sequence and token counts (0 when nothing is prepared).
    public internal(set) var batchCount = 0, tokenCount = 0
    /// How many leading layers ``prefix`` holds the output of, or `nil` when it holds nothing.
    var prefixLayers: Int?
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
        prefix = make(tokens * h)
        qkv = make(tokens * 3 * h)
        context = make(tokens * h)
        inner = make(tokens * configuration.intermediateSize)
        loraDown = make(tokens * loraRank)
        scoreStride = (maxSequenceLength + 7) & ~7
        scores = make(tokens * scoreStride)
        keys = make((tokens + 7 * maxBatch) * configuration.headSize)
        pooled = make(maxBatch * h)
        allocations = [hidden, prefix, qkv, context, inner, loraDown, scores, keys, pooled]
        rowStarts = [Int](repeating: 0, count: maxBatch + 1)
        packedIds = [Int32](repeating: 0, count: tokens)
    }

    deinit {
        for p in allocations { p.deallocate() }
    }

    /// The pooled embedding of sequence `b` of the last forward pass.
    public func pooledEmbedding(_ b: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: pooled + b * hiddenSize, count: hiddenSize))
    }
}
