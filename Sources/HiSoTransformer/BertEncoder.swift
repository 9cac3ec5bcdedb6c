import HiSoKernels

/// A BERT encoder with mean pooling, evaluated on a flat parameter vector through a
/// ``KernelBackend``'s GEMM.
///
/// Forward pass for packed sequences (no padding rows; a sequence attends to its own tokens only,
/// which equals BERT's additive padding mask):
/// - `x = LayerNorm(word[id] + position[p] + tokenType[0])` (epsilon from the configuration);
/// - per layer: `[Q K V] = x [Wq Wk Wv]^T + b` (one GEMM; LoRA adds `s (x A^T) B^T` to Q and V),
///   per head `P = softmax(Q K^T / sqrt(dh))`, `C = P V`,
///   `x = LayerNorm(x + C Wo^T + bo)`, `x = LayerNorm(x + GELU(x Wi^T + bi) Wf^T + bf)` with
///   `GELU(u) = u/2 (1 + erf(u / sqrt 2))`;
/// - pooled embedding = mean of the sequence's rows of `x`.
///
/// Complexity per token: about `2 L (4 h^2 + 2 h I)` flops plus `4 L h S` for attention.
/// Memory: none beyond the ``BertWorkspace``.
public struct BertEncoder: Sendable {
    /// The shape.
    public let configuration: BertConfiguration
    /// Where each tensor lives in the flat vector.
    public let layout: BertParameterLayout

    /// Creates an encoder for `configuration`.
    public init(configuration: BertConfiguration) {
        self.configuration = configuration
        layout = BertParameterLayout(configuration)
    }

    /// Runs the encoder on texts `indices` of `texts` and leaves their mean-pooled embeddings in
    /// `workspace.pooled` (row `b` for `indices[b]`).
    ///
    /// With a `cache` holding the output of the first `cache.layers` layers (which the caller
    /// guarantees are frozen), texts missing from it are run through that prefix once and stored,
    /// and every forward pass then starts at layer `cache.layers` from the cached rows.
    ///
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` when the batch does not
    ///   fit the workspace, a sequence exceeds the position table, or an id is outside the vocabulary.
    /// - Complexity: see the type (only the uncached layers with a warm cache). Allocates nothing
    ///   when every text is cached (or without a cache).
    public func forward(
        _ parameters: BertParameterView, texts: EncodedTexts, indices: [Int], workspace: BertWorkspace,
        backend: any KernelBackend, cache: HiddenStateCache? = nil
    ) throws(TransformerError) {
        let first = cache?.layers ?? 0
        if let cache, first > 0 {
            if indices.contains(where: { !cache.has($0) }) {
                let missing = indices.filter { !cache.has($0) }
                let tokens = try prepareRows(texts: texts, indices: missing, workspace: workspace)
                embed(parameters, texts: texts, indices: missing, workspace: workspace)
                for l in 0..<first {
                    encoderLayer(l, parameters, batch: missing.count, tokens: tokens, workspace: workspace, backend: backend)
                }
                for (b, i) in missing.enumerated() {
                    cache.store(i, from: workspace.hidden + workspace.rowStarts[b] * configuration.hiddenSize)
                }
            }
        }
        let tokens = try prepareRows(texts: texts, indices: indices, workspace: workspace)
        if let cache, first > 0 {
            for (b, i) in indices.enumerated() {
                cache.load(i, into: workspace.hidden + workspace.rowStarts[b] * configuration.hiddenSize)
            }
        } else {
            embed(parameters, texts: texts, indices: indices, workspace: workspace)
        }
        for l in first..<configuration.layerCount {
            encoderLayer(l, parameters, batch: indices.count, tokens: tokens, workspace: workspace, backend: backend)
        }
        pool(batch: indices.count, workspace: workspace)
    }

    /// Checks the batch against the workspace and the model, and fills `workspace.rowStarts`.
    func prepareRows(texts: EncodedTexts, indices: [Int], workspace: BertWorkspace) throws(TransformerError) -> Int {
        guard indices.count >= 1, indices.count <= workspace.maxBatch else {
            throw .invalidArgument(name: "batch size", value: "\(indices.count)", expected: "1...\(workspace.maxBatch)")
        }
        var total = 0
        workspace.rowStarts[0] = 0
        for (b, i) in indices.enumerated() {
            guard i >= 0, i < texts.count else {
                throw .invalidArgument(name: "text index", value: "\(i)", expected: "0..<\(texts.count)")
            }
            let length = texts.length(of: i)
            guard length <= min(workspace.maxSequenceLength, configuration.maxPositions) else {
                throw .invalidArgument(
                    name: "sequence length of text \(i)", value: "\(length)",
                    expected: "at most \(min(workspace.maxSequenceLength, configuration.maxPositions))")
            }
            for id in texts.ids(of: i) where id < 0 || Int(id) >= configuration.vocabularySize {
                throw .invalidArgument(name: "token id in text \(i)", value: "\(id)", expected: "0..<\(configuration.vocabularySize)")
            }
            total += length
            workspace.rowStarts[b + 1] = total
        }
        guard total <= workspace.maxTokens else {
            throw .invalidArgument(name: "tokens in batch", value: "\(total)", expected: "at most \(workspace.maxTokens)")
        }
        return total
    }

    /// `x = LayerNorm(word[id] + position[p] + tokenType[0])` for every packed row.
    func embed(_ parameters: BertParameterView, texts: EncodedTexts, indices: [Int], workspace: BertWorkspace) {
        let h = configuration.hiddenSize
        let word = parameters.pointer(layout.wordEmbedding)
        let position = parameters.pointer(layout.positionEmbedding)
        let type0 = parameters.pointer(layout.tokenTypeEmbedding)
        let gamma = parameters.pointer(layout.embeddingNormWeight)
        let beta = parameters.pointer(layout.embeddingNormBias)
        texts.ids.withUnsafeBufferPointer { ids in
            for (b, i) in indices.enumerated() {
                let first = texts.starts[i]
                for p in 0..<texts.length(of: i) {
                    let row = workspace.hidden + (workspace.rowStarts[b] + p) * h
                    let w = word + Int(ids[first + p]) * h
                    let pos = position + p * h
                    for j in 0..<h { row[j] = w[j] + pos[j] + type0[j] }
                    BertMath.layerNorm(row, count: h, gamma: gamma, beta: beta, epsilon: configuration.layerNormEpsilon)
                }
            }
        }
    }

    /// The mean of each sequence's rows of `workspace.hidden` into `workspace.pooled`.
    func pool(batch: Int, workspace: BertWorkspace) {
        let h = configuration.hiddenSize
        for b in 0..<batch {
            let out = workspace.pooled + b * h
            out.update(repeating: 0, count: h)
            let lo = workspace.rowStarts[b]
            let hi = workspace.rowStarts[b + 1]
            for r in lo..<hi {
                let row = workspace.hidden + r * h
                for j in 0..<h { out[j] += row[j] }
            }
            let scale = 1 / Float(hi - lo)
            for j in 0..<h { out[j] *= scale }
        }
    }
}
