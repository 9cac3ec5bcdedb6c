import HiSoKernels

extension BertEncoder {
    /// The forward pass of ``forward(_:texts:indices:workspace:backend:cache:)``, keeping in
    /// `workspace` what the backward pass needs from layer `workspace.firstLayer` on (and from the
    /// embeddings' LayerNorm when `workspace.recordsEmbeddings`).
    ///
    /// The frozen prefix runs as in the plain forward pass (from `cache` when it holds the output of
    /// exactly `workspace.firstLayer` layers; texts missing from it are added). The recorded layers
    /// perform the plain forward's operations in the same order, so the pooled embeddings in
    /// `workspace.forward.pooled` are those of the plain forward pass.
    ///
    /// - Returns: the number of packed tokens.
    /// - Throws: the plain forward's batch errors; ``TransformerError/invalidArgument(name:value:expected:)``
    ///   when the cache holds another number of layers.
    /// - Complexity: the plain forward pass's, plus copying `O(tokens (h + I))` floats per recorded layer.
    ///   Allocates nothing when every text is cached (or without a cache).
    func forwardRecording(
        _ parameters: BertParameterView, texts: EncodedTexts, indices: [Int], workspace: BertGradientWorkspace,
        backend: any KernelBackend, cache: HiddenStateCache?
    ) throws(TransformerError) -> Int {
        let h = configuration.hiddenSize
        let first = workspace.firstLayer
        let plain = workspace.forward
        let tokens: Int
        let input = first < configuration.layerCount ? workspace.record(first).input : plain.hidden
        if let cache, first > 0 {
            guard cache.layers == first else {
                throw .invalidArgument(name: "cached layers", value: "\(cache.layers)", expected: "\(first) (the frozen layers)")
            }
            if indices.contains(where: { !cache.has($0) }) {
                try forward(parameters, texts: texts, indices: indices, workspace: plain, backend: backend, cache: cache)
            }
            tokens = try prepareRows(texts: texts, indices: indices, workspace: plain)
            for (b, i) in indices.enumerated() { cache.load(i, into: input + plain.rowStarts[b] * h) }
        } else {
            tokens = try prepareRows(texts: texts, indices: indices, workspace: plain)
            if workspace.recordsEmbeddings {
                embedRecording(parameters, texts: texts, indices: indices, workspace: workspace, into: input)
            } else {
                embed(parameters, texts: texts, indices: indices, workspace: plain)
                for l in 0..<first {
                    encoderLayer(l, parameters, batch: indices.count, tokens: tokens, workspace: plain, backend: backend)
                }
                if input != plain.hidden { input.update(from: plain.hidden, count: tokens * h) }
            }
        }
        for l in first..<configuration.layerCount {
            let output = l + 1 < configuration.layerCount ? workspace.record(l + 1).input : plain.hidden
            encoderLayerRecording(
                l, parameters, batch: indices.count, tokens: tokens, workspace: workspace, output: output, backend: backend)
        }
        pool(batch: indices.count, workspace: plain)
        return tokens
    }

    /// The embeddings (as the plain forward's), keeping their LayerNorm's `x_hat` and `1 / sigma`.
    private func embedRecording(
        _ parameters: BertParameterView, texts: EncodedTexts, indices: [Int], workspace: BertGradientWorkspace,
        into hidden: UnsafeMutablePointer<Float>
    ) {
        let h = configuration.hiddenSize
        let word = parameters.pointer(layout.wordEmbedding)
        let position = parameters.pointer(layout.positionEmbedding)
        let type0 = parameters.pointer(layout.tokenTypeEmbedding)
        let gamma = parameters.pointer(layout.embeddingNormWeight)
        let beta = parameters.pointer(layout.embeddingNormBias)
        let rowStarts = workspace.forward.rowStarts
        texts.ids.withUnsafeBufferPointer { ids in
            for (b, i) in indices.enumerated() {
                let first = texts.starts[i]
                for p in 0..<texts.length(of: i) {
                    let r = rowStarts[b] + p
                    let row = hidden + r * h
                    let w = word + Int(ids[first + p]) * h
                    let pos = position + p * h
                    for j in 0..<h { row[j] = w[j] + pos[j] + type0[j] }
                    BertMath.layerNormRecording(
                        row, count: h, gamma: gamma, beta: beta, epsilon: configuration.layerNormEpsilon,
                        normalized: workspace.embeddingNormalized + r * h, inverse: workspace.embeddingInverse + r)
                }
            }
        }
    }

    /// One encoder layer from `record(l).input` into `output`, keeping the layer's record
    /// (the operations of ``encoderLayer(_:_:batch:tokens:workspace:backend:)``, in its order).
    private func encoderLayerRecording(
        _ l: Int, _ parameters: BertParameterView, batch: Int, tokens: Int, workspace: BertGradientWorkspace,
        output: UnsafeMutablePointer<Float>, backend: any KernelBackend
    ) {
        let h = configuration.hiddenSize
        let inner = configuration.intermediateSize
        let offsets = layout.layers[l]
        let record = workspace.record(l)
        let x = record.input
        let epsilon = configuration.layerNormEpsilon

        backend.gemm(
            transA: false, transB: true, m: tokens, n: 3 * h, k: h, alpha: 1,
            a: x, lda: h, b: parameters.pointer(offsets.qkvWeight), ldb: h, beta: 0, c: record.qkv, ldc: 3 * h)
        BertMath.addBias(record.qkv, rows: tokens, columns: 3 * h, bias: parameters.pointer(offsets.qkvBias))
        if let lora = parameters.lora, parameters.loraRank > 0 {
            let r = parameters.loraRank
            let layerAdapters = lora + l * 4 * r * h
            for projection in 0..<2 {
                let a = layerAdapters + 2 * projection * r * h
                backend.gemm(
                    transA: false, transB: true, m: tokens, n: r, k: h, alpha: 1,
                    a: x, lda: h, b: a, ldb: h, beta: 0, c: workspace.loraDown, ldc: r)
                backend.gemm(
                    transA: false, transB: true, m: tokens, n: h, k: r, alpha: parameters.loraScale,
                    a: workspace.loraDown, lda: r, b: a + r * h, ldb: r, beta: 1, c: record.qkv + 2 * projection * h,
                    ldc: 3 * h)
            }
        }
        attentionRecording(batch: batch, record: record, workspace: workspace, backend: backend)

        backend.gemm(
            transA: false, transB: true, m: tokens, n: h, k: h, alpha: 1,
            a: record.context, lda: h, b: parameters.pointer(offsets.attentionOutputWeight), ldb: h,
            beta: 0, c: workspace.projected, ldc: h)
        record.attended.update(from: x, count: tokens * h)
        BertMath.biasResidualLayerNormRecording(
            workspace.projected, into: record.attended, rows: tokens, columns: h,
            bias: parameters.pointer(offsets.attentionOutputBias), gamma: parameters.pointer(offsets.attentionNormWeight),
            beta: parameters.pointer(offsets.attentionNormBias), epsilon: epsilon,
            normalized: record.attentionNormalized, inverse: record.attentionInverse)

        backend.gemm(
            transA: false, transB: true, m: tokens, n: inner, k: h, alpha: 1,
            a: record.attended, lda: h, b: parameters.pointer(offsets.intermediateWeight), ldb: h,
            beta: 0, c: record.activation, ldc: inner)
        BertMath.biasGELURecording(
            record.activation, rows: tokens, columns: inner, bias: parameters.pointer(offsets.intermediateBias),
            preActivation: record.preActivation)
        backend.gemm(
            transA: false, transB: true, m: tokens, n: h, k: inner, alpha: 1,
            a: record.activation, lda: inner, b: parameters.pointer(offsets.outputWeight), ldb: inner,
            beta: 0, c: workspace.projected, ldc: h)
        output.update(from: record.attended, count: tokens * h)
        BertMath.biasResidualLayerNormRecording(
            workspace.projected, into: output, rows: tokens, columns: h, bias: parameters.pointer(offsets.outputBias),
            gamma: parameters.pointer(offsets.outputNormWeight), beta: parameters.pointer(offsets.outputNormBias),
            epsilon: epsilon, normalized: record.outputNormalized, inverse: record.outputInverse)
    }

    /// `context = softmax(Q K^T / sqrt(dh)) V` per sequence and head, from the record's `[Q K V]`.
    private func attentionRecording(
        batch: Int, record: BertGradientWorkspace.LayerRecord, workspace: BertGradientWorkspace,
        backend: any KernelBackend
    ) {
        let h = configuration.hiddenSize
        let dh = configuration.headSize
        for b in 0..<batch {
            let first = workspace.forward.rowStarts[b]
            let length = workspace.forward.rowStarts[b + 1] - first
            for head in 0..<configuration.headCount {
                let column = head * dh
                attentionProbabilities(record: record, first: first, length: length, column: column, workspace: workspace, backend: backend)
                backend.gemm(
                    transA: false, transB: false, m: length, n: dh, k: length, alpha: 1,
                    a: workspace.probabilities, lda: length, b: record.qkv + first * 3 * h + 2 * h + column, ldb: 3 * h,
                    beta: 0, c: record.context + first * h + column, ldc: h)
            }
        }
    }

    /// `workspace.probabilities = softmax(Q K^T / sqrt(dh))` of one sequence (rows `first ..< first + length`)
    /// and one head (columns `column ..< column + dh` of Q and K).
    func attentionProbabilities(
        record: BertGradientWorkspace.LayerRecord, first: Int, length: Int, column: Int, workspace: BertGradientWorkspace,
        backend: any KernelBackend
    ) {
        let h = configuration.hiddenSize
        let dh = configuration.headSize
        let q = record.qkv + first * 3 * h + column
        backend.gemm(
            transA: false, transB: true, m: length, n: length, k: dh, alpha: 1 / Float(dh).squareRoot(),
            a: q, lda: 3 * h, b: q + h, ldb: 3 * h, beta: 0, c: workspace.probabilities, ldc: length)
        BertMath.softmaxRows(workspace.probabilities, rows: length, columns: length)
    }
}
