import HiSoKernels

/// A BERT encoder with mean pooling, evaluated on a flat parameter vector through a
/// `KernelBackend`'s GEMM.
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
    /// Equivalent to ``prepare(_:texts:indices:workspace:backend:cache:)`` then
    /// ``forwardPrepared(_:workspace:backend:)``.
    ///
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` when the batch does not
    ///   fit the workspace, a sequence exceeds the position table, or an id is outside the vocabulary.
    /// - Complexity: see the type (only the uncached layers with a warm cache). Allocates nothing
    ///   when every text is cached (or without a cache).
    public func forward(
        _ parameters: BertParameterView, texts: EncodedTexts, indices: [Int], workspace: BertWorkspace,
        backend: any KernelBackend, cache: HiddenStateCache? = nil
    ) throws(TransformerError) {
        try prepare(parameters, texts: texts, indices: indices, workspace: workspace, backend: backend, cache: cache)
        forwardPrepared(parameters, workspace: workspace, backend: backend)
    }

    /// Prepares the batch `indices` of `texts` for any number of forward passes: checks it, packs
    /// its ids and row starts into `workspace`, and leaves in `workspace.prefix` the output of the
    /// frozen prefix — the cached rows of `cache` (texts missing from it are run through its
    /// `cache.layers` layers once and stored), or the embeddings without a cache.
    ///
    /// The prefix is computed with `parameters`; the caller guarantees that those layers (and, for
    /// the embeddings, the embedding tables) do not change until the next `prepare`, or calls
    /// ``embedPrepared(_:workspace:)`` before each pass when the embeddings train.
    ///
    /// - Throws: as ``forward(_:texts:indices:workspace:backend:cache:)``.
    /// - Complexity: with a warm cache, a copy of `tokens * h` floats; otherwise the embedding and
    ///   the prefix layers of the missing texts. Allocates nothing with a warm cache.
    public func prepare(
        _ parameters: BertParameterView, texts: EncodedTexts, indices: [Int], workspace: BertWorkspace,
        backend: any KernelBackend, cache: HiddenStateCache? = nil
    ) throws(TransformerError) {
        workspace.prefixLayers = nil
        for b in 0..<indices.count where indices[b] < 0 || indices[b] >= texts.count {
            throw .invalidArgument(name: "text index", value: "\(indices[b])", expected: "0..<\(texts.count)")
        }
        let first = cache?.layers ?? 0
        if let cache, first > 0, !cache.hasAll(indices) {
            let missing = indices.filter { !cache.has($0) }
            try packRows(texts: texts, indices: missing, workspace: workspace)
            embedPrepared(parameters, workspace: workspace)
            workspace.hidden.update(from: workspace.prefix, count: workspace.tokenCount * configuration.hiddenSize)
            for l in 0..<first { encoderLayer(l, parameters, workspace: workspace, backend: backend) }
            for b in 0..<missing.count {
                cache.store(missing[b], from: workspace.hidden + workspace.rowStarts[b] * configuration.hiddenSize)
            }
        }
        try packRows(texts: texts, indices: indices, workspace: workspace)
        if let cache, first > 0 {
            for b in 0..<indices.count {
                cache.load(indices[b], into: workspace.prefix + workspace.rowStarts[b] * configuration.hiddenSize)
            }
            workspace.prefixLayers = first
        } else {
            embedPrepared(parameters, workspace: workspace)
        }
    }

    /// One forward pass of the prepared batch from its prefix: copies `workspace.prefix` into the
    /// hidden states, runs the remaining layers with `parameters`, and mean-pools into
    /// `workspace.pooled`.
    ///
    /// - Precondition: a batch is prepared (``prepare(_:texts:indices:workspace:backend:cache:)``).
    /// - Complexity: `2 (L - first) tokens (4 h^2 + 2 h I)` GEMM flops plus attention and
    ///   `O(tokens (h + I))` row work. Allocates nothing.
    public func forwardPrepared(_ parameters: BertParameterView, workspace: BertWorkspace, backend: any KernelBackend) {
        guard let first = workspace.prefixLayers else { preconditionFailure("forwardPrepared needs a prepared batch") }
        workspace.hidden.update(from: workspace.prefix, count: workspace.tokenCount * configuration.hiddenSize)
        for l in first..<configuration.layerCount {
            encoderLayer(l, parameters, workspace: workspace, backend: backend)
        }
        pool(workspace: workspace)
    }

    /// Checks the batch against the workspace and the model, and packs its ids and row starts.
    private func packRows(texts: EncodedTexts, indices: [Int], workspace: BertWorkspace) throws(TransformerError) {
        guard indices.count >= 1, indices.count <= workspace.maxBatch else {
            throw .invalidArgument(name: "batch size", value: "\(indices.count)", expected: "1...\(workspace.maxBatch)")
        }
        workspace.batchCount = 0
        workspace.tokenCount = 0
        var total = 0
        workspace.rowStarts[0] = 0
        for b in 0..<indices.count {
            let i = indices[b]
            guard i >= 0, i < texts.count else {
                throw .invalidArgument(name: "text index", value: "\(i)", expected: "0..<\(texts.count)")
            }
            let length = texts.length(of: i)
            guard length <= min(workspace.maxSequenceLength, configuration.maxPositions) else {
                throw .invalidArgument(
                    name: "sequence length of text \(i)", value: "\(length)",
                    expected: "at most \(min(workspace.maxSequenceLength, configuration.maxPositions))")
            }
            guard total + length <= workspace.maxTokens else {
                throw .invalidArgument(
                    name: "tokens in batch", value: "more than \(total + length - 1)", expected: "at most \(workspace.maxTokens)")
            }
            let first = texts.starts[i]
            for p in 0..<length {
                let id = texts.ids[first + p]
                guard id >= 0, Int(id) < configuration.vocabularySize else {
                    throw .invalidArgument(name: "token id in text \(i)", value: "\(id)", expected: "0..<\(configuration.vocabularySize)")
                }
                workspace.packedIds[total + p] = id
            }
            total += length
            workspace.rowStarts[b + 1] = total
        }
        workspace.batchCount = indices.count
        workspace.tokenCount = total
    }

    /// `prefix = LayerNorm(word[id] + position[p] + tokenType[0])` for every packed row of the
    /// prepared batch (marks the prefix as the embeddings).
    ///
    /// Complexity: `O(tokens h)`; allocates nothing.
    public func embedPrepared(_ parameters: BertParameterView, workspace: BertWorkspace) {
        let h = configuration.hiddenSize
        let word = parameters.pointer(layout.wordEmbedding)
        let position = parameters.pointer(layout.positionEmbedding)
        let type0 = parameters.pointer(layout.tokenTypeEmbedding)
        let gamma = parameters.pointer(layout.embeddingNormWeight)
        let beta = parameters.pointer(layout.embeddingNormBias)
        workspace.packedIds.withUnsafeBufferPointer { ids in
            for b in 0..<workspace.batchCount {
                let start = workspace.rowStarts[b]
                for p in 0..<(workspace.rowStarts[b + 1] - start) {
                    let row = workspace.prefix + (start + p) * h
                    let w = word + Int(ids[start + p]) * h
                    let pos = position + p * h
                    for j in 0..<h { row[j] = w[j] + pos[j] + type0[j] }
                    BertMath.layerNorm(row, count: h, gamma: gamma, beta: beta, epsilon: configuration.layerNormEpsilon)
                }
            }
        }
        workspace.prefixLayers = 0
    }

    /// The mean of each sequence's rows of `workspace.hidden` into `workspace.pooled`.
    func pool(workspace: BertWorkspace) {
        let h = configuration.hiddenSize
        for b in 0..<workspace.batchCount {
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
