import HiSoKernels

extension BertEncoder {
    /// Backpropagates the gradient of the pooled embeddings (`workspace.dPooled`, `batch x h`)
    /// through the recorded layers of the last ``forwardRecording(_:texts:indices:workspace:backend:cache:)``
    /// call, writing the gradient of every trainable tensor to `gradient`.
    ///
    /// Per layer, from `dx2` (the gradient of the layer output) down, with `LN'` the LayerNorm
    /// backward `dx = (1/sigma)(dy g - mean(dy g) - x_hat mean(dy g x_hat))`:
    /// - `dr2 = LN2'(dx2)`; `dbf = sum_t dr2`, `dWf = dr2^T GELU(u)`, `du = (dr2 Wf) * GELU'(u)`;
    ///   `dbi = sum_t du`, `dWi = du^T x1`, `dx1 = dr2 + du Wi`;
    /// - `dr1 = LN1'(dx1)`; `dbo = sum_t dr1`, `dWo = dr1^T C`, `dC = dr1 Wo`;
    /// - per sequence and head, with `P = softmax(Q K^T / sqrt(dh))` recomputed:
    ///   `dV = P^T dC`, `dP = dC V^T`, `dS = P * (dP - rowsum(dP * P))`,
    ///   `dQ = dS K / sqrt(dh)`, `dK = dS^T Q / sqrt(dh)`;
    /// - `db_qkv = sum_t d[Q K V]`, `dW_qkv = d[Q K V]^T x0`, `dx0 = dr1 + d[Q K V] W_qkv`;
    ///   LoRA on Q (and V): `dB = s dQ^T (x0 A^T)`, `dA = s (dQ B)^T x0`, `dx0 += s (dQ B) A`.
    /// Pooling: `dx[t] = dpooled[b] / n_b` for the `n_b` tokens of sequence `b`. With trainable
    /// embeddings: `d(word[id]) += e`, `d(position[p]) += e`, `d(tokenType[0]) += e` with `e = LN0'(dx)`.
    /// The LayerNorm statistics come from the recorded sums, recomputed per row.
    ///
    /// The GELU backward is split over the backend's threads by rows (which never changes a result);
    /// the other row work (LayerNorm, softmax, bias sums) runs on the calling thread.
    /// Frozen tensors get no gradient (their weight-gradient GEMMs are skipped); the input
    /// gradient of the first recorded layer is computed only when `inputGradient` is set, or when
    /// the embeddings train, and is left in `workspace.dHidden`.
    ///
    /// - Complexity: about twice the recorded layers' forward GEMM work (`4 L' tokens (4 h^2 + 2 h I)`
    ///   flops plus `8 L' h sum_b n_b^2` for attention, `L'` recorded layers), plus the recomputed
    ///   attention scores (`2 L' h sum_b n_b^2`). With trainable embeddings, zeroing their gradient
    ///   (`(V + P + T) h`). Allocates nothing.
    func backward(
        _ parameters: BertParameterView, gradient: BertGradientView, tokens: Int, workspace: BertGradientWorkspace,
        backend: any KernelBackend, inputGradient: Bool
    ) {
        let batch = workspace.forward.batchCount
        let h = configuration.hiddenSize
        let rowStarts = workspace.forward.rowStarts
        for b in 0..<batch {
            let d = workspace.dPooled + b * h
            let scale = 1 / Float(rowStarts[b + 1] - rowStarts[b])
            for r in rowStarts[b]..<rowStarts[b + 1] {
                let row = workspace.dHidden + r * h
                for j in 0..<h { row[j] = d[j] * scale }
            }
        }
        let first = workspace.firstLayer
        var l = configuration.layerCount - 1
        while l >= first {
            layerBackward(
                l, parameters, gradient: gradient, batch: batch, tokens: tokens, workspace: workspace, backend: backend,
                inputGradient: l > first || inputGradient || workspace.trainsEmbeddings)
            l -= 1
        }
        if workspace.trainsEmbeddings {
            embeddingBackward(parameters, gradient: gradient, tokens: tokens, workspace: workspace)
        }
    }

    /// One layer's backward pass: `workspace.dHidden` goes from the gradient of layer `l`'s output
    /// to that of its input (only when `inputGradient`; otherwise it is left as the gradient of
    /// the post-attention residual).
    private func layerBackward(
        _ l: Int, _ parameters: BertParameterView, gradient: BertGradientView, batch: Int, tokens: Int,
        workspace: BertGradientWorkspace, backend: any KernelBackend, inputGradient: Bool
    ) {
        let h = configuration.hiddenSize
        let inner = configuration.intermediateSize
        let offsets = layout.layers[l]
        let record = workspace.record(l)
        let dx = workspace.dHidden

        BertMath.layerNormBackward(
            dx, rows: tokens, columns: h, sums: record.outputSum, bias: parameters.pointer(offsets.outputBias),
            gamma: parameters.pointer(offsets.outputNormWeight), epsilon: configuration.layerNormEpsilon,
            dGamma: gradient.pointer(offsets.outputNormWeight), dBeta: gradient.pointer(offsets.outputNormBias))
        if let db = gradient.pointer(offsets.outputBias) { BertMath.columnSums(dx, rows: tokens, columns: h, into: db) }
        if let dw = gradient.pointer(offsets.outputWeight) {
            backend.gemm(
                transA: true, transB: false, m: h, n: inner, k: tokens, alpha: 1,
                a: dx, lda: h, b: record.activation, ldb: inner, beta: 0, c: dw, ldc: inner)
        }
        backend.gemm(
            transA: false, transB: false, m: tokens, n: inner, k: h, alpha: 1,
            a: dx, lda: h, b: parameters.pointer(offsets.outputWeight), ldb: inner, beta: 0, c: workspace.dInner, ldc: inner)
        let dInner = workspace.dInner
        let preActivation = record.preActivation
        let innerBias = parameters.pointer(offsets.intermediateBias)
        Self.rows(tokens, threads: backend.threads) { lo, hi in
            BertMath.geluBackward(
                dInner + lo * inner, rows: hi - lo, columns: inner, preActivation: preActivation + lo * inner, bias: innerBias)
        }
        if let db = gradient.pointer(offsets.intermediateBias) {
            BertMath.columnSums(workspace.dInner, rows: tokens, columns: inner, into: db)
        }
        if let dw = gradient.pointer(offsets.intermediateWeight) {
            backend.gemm(
                transA: true, transB: false, m: inner, n: h, k: tokens, alpha: 1,
                a: workspace.dInner, lda: inner, b: record.attended, ldb: h, beta: 0, c: dw, ldc: h)
        }
        backend.gemm(
            transA: false, transB: false, m: tokens, n: h, k: inner, alpha: 1,
            a: workspace.dInner, lda: inner, b: parameters.pointer(offsets.intermediateWeight), ldb: h, beta: 1, c: dx, ldc: h)

        BertMath.layerNormBackward(
            dx, rows: tokens, columns: h, sums: record.attentionSum, bias: parameters.pointer(offsets.attentionOutputBias),
            gamma: parameters.pointer(offsets.attentionNormWeight), epsilon: configuration.layerNormEpsilon,
            dGamma: gradient.pointer(offsets.attentionNormWeight), dBeta: gradient.pointer(offsets.attentionNormBias))
        if let db = gradient.pointer(offsets.attentionOutputBias) {
            BertMath.columnSums(dx, rows: tokens, columns: h, into: db)
        }
        if let dw = gradient.pointer(offsets.attentionOutputWeight) {
            backend.gemm(
                transA: true, transB: false, m: h, n: h, k: tokens, alpha: 1,
                a: dx, lda: h, b: record.context, ldb: h, beta: 0, c: dw, ldc: h)
        }
        backend.gemm(
            transA: false, transB: false, m: tokens, n: h, k: h, alpha: 1,
            a: dx, lda: h, b: parameters.pointer(offsets.attentionOutputWeight), ldb: h, beta: 0, c: workspace.dContext,
            ldc: h)

        let qkvTrainable = gradient.pointer(offsets.qkvWeight) != nil
        let hasLoRA = parameters.lora != nil && parameters.loraRank > 0
        guard qkvTrainable || hasLoRA || inputGradient else { return }
        attentionBackward(batch: batch, record: record, workspace: workspace, backend: backend)
        if let db = gradient.pointer(offsets.qkvBias) {
            BertMath.columnSums(workspace.dQKV, rows: tokens, columns: 3 * h, into: db)
        }
        if let dw = gradient.pointer(offsets.qkvWeight) {
            backend.gemm(
                transA: true, transB: false, m: 3 * h, n: h, k: tokens, alpha: 1,
                a: workspace.dQKV, lda: 3 * h, b: record.input, ldb: h, beta: 0, c: dw, ldc: h)
        }
        if hasLoRA {
            loraBackward(l, parameters, gradient: gradient, tokens: tokens, record: record, workspace: workspace, backend: backend)
        }
        if inputGradient {
            backend.gemm(
                transA: false, transB: false, m: tokens, n: h, k: 3 * h, alpha: 1,
                a: workspace.dQKV, lda: 3 * h, b: parameters.pointer(offsets.qkvWeight), ldb: h, beta: 1, c: dx, ldc: h)
        }
    }

    /// `workspace.dQKV` from `workspace.dContext`, per sequence and head (see ``backward(_:gradient:tokens:workspace:backend:inputGradient:)``).
    private func attentionBackward(
        batch: Int, record: BertGradientWorkspace.LayerRecord, workspace: BertGradientWorkspace, backend: any KernelBackend
    ) {
        let h = configuration.hiddenSize
        let dh = configuration.headSize
        let scale = 1 / Float(dh).squareRoot()
        let rowStarts = workspace.forward.rowStarts
        for b in 0..<batch {
            let first = rowStarts[b]
            let n = rowStarts[b + 1] - first
            let q = record.qkv + first * 3 * h
            let dq = workspace.dQKV + first * 3 * h
            let dc = workspace.dContext + first * h
            for head in 0..<configuration.headCount {
                let column = head * dh
                backend.gemm(
                    transA: false, transB: true, m: n, n: n, k: dh, alpha: scale,
                    a: q + column, lda: 3 * h, b: q + h + column, ldb: 3 * h, beta: 0, c: workspace.probabilities, ldc: n)
                BertMath.softmaxRows(workspace.probabilities, rows: n, columns: n)
                backend.gemm(
                    transA: true, transB: false, m: n, n: dh, k: n, alpha: 1,
                    a: workspace.probabilities, lda: n, b: dc + column, ldb: h, beta: 0, c: dq + 2 * h + column, ldc: 3 * h)
                backend.gemm(
                    transA: false, transB: true, m: n, n: n, k: dh, alpha: 1,
                    a: dc + column, lda: h, b: q + 2 * h + column, ldb: 3 * h, beta: 0, c: workspace.dProbabilities, ldc: n)
                BertMath.softmaxBackwardRows(workspace.dProbabilities, probabilities: workspace.probabilities, rows: n, columns: n)
                backend.gemm(
                    transA: false, transB: false, m: n, n: dh, k: n, alpha: scale,
                    a: workspace.dProbabilities, lda: n, b: q + h + column, ldb: 3 * h, beta: 0, c: dq + column, ldc: 3 * h)
                backend.gemm(
                    transA: true, transB: false, m: n, n: dh, k: n, alpha: scale,
                    a: workspace.dProbabilities, lda: n, b: q + column, ldb: 3 * h, beta: 0, c: dq + h + column, ldc: 3 * h)
            }
        }
    }

    /// LoRA adapter gradients of layer `l` from `workspace.dQKV`, and their input gradient
    /// `s (dQ B) A + s (dV B_v) A_v` added to `workspace.dHidden`.
    private func loraBackward(
        _ l: Int, _ parameters: BertParameterView, gradient: BertGradientView, tokens: Int,
        record: BertGradientWorkspace.LayerRecord, workspace: BertGradientWorkspace, backend: any KernelBackend
    ) {
        guard let lora = parameters.lora else { return }
        let h = configuration.hiddenSize
        let r = parameters.loraRank
        let s = parameters.loraScale
        let x = record.input
        for projection in 0..<2 {
            let offset = l * 4 * r * h + 2 * projection * r * h
            let a = lora + offset
            let bMatrix = a + r * h
            let dProjection = workspace.dQKV + 2 * projection * h
            backend.gemm(
                transA: false, transB: true, m: tokens, n: r, k: h, alpha: 1,
                a: x, lda: h, b: a, ldb: h, beta: 0, c: workspace.loraDown, ldc: r)
            backend.gemm(
                transA: false, transB: false, m: tokens, n: r, k: h, alpha: s,
                a: dProjection, lda: 3 * h, b: bMatrix, ldb: r, beta: 0, c: workspace.dLoraDown, ldc: r)
            if let dLoRA = gradient.lora {
                backend.gemm(
                    transA: true, transB: false, m: h, n: r, k: tokens, alpha: s,
                    a: dProjection, lda: 3 * h, b: workspace.loraDown, ldb: r, beta: 0, c: dLoRA + offset + r * h, ldc: r)
                backend.gemm(
                    transA: true, transB: false, m: r, n: h, k: tokens, alpha: 1,
                    a: workspace.dLoraDown, lda: r, b: x, ldb: h, beta: 0, c: dLoRA + offset, ldc: h)
            }
            backend.gemm(
                transA: false, transB: false, m: tokens, n: h, k: r, alpha: 1,
                a: workspace.dLoraDown, lda: r, b: a, ldb: h, beta: 1, c: workspace.dHidden, ldc: h)
        }
    }

    /// The embeddings' gradients from `workspace.dHidden` (the gradient of the embeddings' output):
    /// their LayerNorm's parameters (its input `word[id] + position[p] + tokenType[0]` recomputed
    /// into `workspace.dContext`), then the word, position and token-type rows each token used (the
    /// whole embedding gradient is zeroed first).
    private func embeddingBackward(
        _ parameters: BertParameterView, gradient: BertGradientView, tokens: Int, workspace: BertGradientWorkspace
    ) {
        let h = configuration.hiddenSize
        let plain = workspace.forward
        let word = parameters.pointer(layout.wordEmbedding)
        let position = parameters.pointer(layout.positionEmbedding)
        let type0 = parameters.pointer(layout.tokenTypeEmbedding)
        let sums = workspace.dContext
        plain.packedIds.withUnsafeBufferPointer { ids in
            for b in 0..<plain.batchCount {
                let start = plain.rowStarts[b]
                for p in 0..<(plain.rowStarts[b + 1] - start) {
                    let row = sums + (start + p) * h
                    let w = word + Int(ids[start + p]) * h
                    let pos = position + p * h
                    for j in 0..<h { row[j] = w[j] + pos[j] + type0[j] }
                }
            }
        }
        BertMath.layerNormBackward(
            workspace.dHidden, rows: tokens, columns: h, sums: sums, bias: nil,
            gamma: parameters.pointer(layout.embeddingNormWeight), epsilon: configuration.layerNormEpsilon,
            dGamma: gradient.pointer(layout.embeddingNormWeight), dBeta: gradient.pointer(layout.embeddingNormBias))
        guard let dWord = gradient.pointer(layout.wordEmbedding) else { return }
        let dPosition = dWord + (layout.positionEmbedding - layout.wordEmbedding)
        let dType0 = dWord + (layout.tokenTypeEmbedding - layout.wordEmbedding)
        dWord.update(repeating: 0, count: layout.embeddingNormWeight - layout.wordEmbedding)
        plain.packedIds.withUnsafeBufferPointer { ids in
            for b in 0..<plain.batchCount {
                let start = plain.rowStarts[b]
                for p in 0..<(plain.rowStarts[b + 1] - start) {
                    let d = workspace.dHidden + (start + p) * h
                    let w = dWord + Int(ids[start + p]) * h
                    let pos = dPosition + p * h
                    for j in 0..<h {
                        w[j] += d[j]
                        pos[j] += d[j]
                        dType0[j] += d[j]
                    }
                }
            }
        }
    }
}
