import HiSoKernels

extension BertEncoder {
    /// One encoder layer in place on `workspace.hidden` (`tokens` packed rows of `batch` sequences).
    func encoderLayer(
        _ l: Int, _ parameters: BertParameterView, batch: Int, tokens: Int, workspace: BertWorkspace,
        backend: any KernelBackend
    ) {
        let h = configuration.hiddenSize
        let inner = configuration.intermediateSize
        let offsets = layout.layers[l]
        let x = workspace.hidden
        let epsilon = configuration.layerNormEpsilon

        backend.gemm(
            transA: false, transB: true, m: tokens, n: 3 * h, k: h, alpha: 1,
            a: x, lda: h, b: parameters.pointer(offsets.qkvWeight), ldb: h, beta: 0, c: workspace.qkv, ldc: 3 * h)
        BertMath.addBias(workspace.qkv, rows: tokens, columns: 3 * h, bias: parameters.pointer(offsets.qkvBias))
        if let lora = parameters.lora, parameters.loraRank > 0 {
            let r = parameters.loraRank
            let layerAdapters = lora + l * 4 * r * h
            for projection in 0..<2 {
                let a = layerAdapters + 2 * projection * r * h
                let column = 2 * projection * h
                let bMatrix = a + r * h
                backend.gemm(
                    transA: false, transB: true, m: tokens, n: r, k: h, alpha: 1,
                    a: x, lda: h, b: a, ldb: h, beta: 0, c: workspace.loraDown, ldc: r)
                backend.gemm(
                    transA: false, transB: true, m: tokens, n: h, k: r, alpha: parameters.loraScale,
                    a: workspace.loraDown, lda: r, b: bMatrix, ldb: r, beta: 1, c: workspace.qkv + column, ldc: 3 * h)
            }
        }
        attention(batch: batch, workspace: workspace, backend: backend)

        backend.gemm(
            transA: false, transB: true, m: tokens, n: h, k: h, alpha: 1,
            a: workspace.context, lda: h, b: parameters.pointer(offsets.attentionOutputWeight), ldb: h,
            beta: 0, c: workspace.projected, ldc: h)
        BertMath.biasResidualLayerNorm(
            workspace.projected, into: x, rows: tokens, columns: h, bias: parameters.pointer(offsets.attentionOutputBias),
            gamma: parameters.pointer(offsets.attentionNormWeight), beta: parameters.pointer(offsets.attentionNormBias),
            epsilon: epsilon)

        backend.gemm(
            transA: false, transB: true, m: tokens, n: inner, k: h, alpha: 1,
            a: x, lda: h, b: parameters.pointer(offsets.intermediateWeight), ldb: h, beta: 0, c: workspace.inner, ldc: inner)
        BertMath.biasGELU(workspace.inner, rows: tokens, columns: inner, bias: parameters.pointer(offsets.intermediateBias))
        backend.gemm(
            transA: false, transB: true, m: tokens, n: h, k: inner, alpha: 1,
            a: workspace.inner, lda: inner, b: parameters.pointer(offsets.outputWeight), ldb: inner,
            beta: 0, c: workspace.projected, ldc: h)
        BertMath.biasResidualLayerNorm(
            workspace.projected, into: x, rows: tokens, columns: h, bias: parameters.pointer(offsets.outputBias),
            gamma: parameters.pointer(offsets.outputNormWeight), beta: parameters.pointer(offsets.outputNormBias),
            epsilon: epsilon)
    }

    /// Multi-head self-attention of each sequence over its own rows: `context = softmax(Q K^T / sqrt(dh)) V`.
    private func attention(batch: Int, workspace: BertWorkspace, backend: any KernelBackend) {
        let h = configuration.hiddenSize
        let dh = configuration.headSize
        let scale = 1 / Float(dh).squareRoot()
        for b in 0..<batch {
            let first = workspace.rowStarts[b]
            let length = workspace.rowStarts[b + 1] - first
            let q = workspace.qkv + first * 3 * h
            for head in 0..<configuration.headCount {
                let column = head * dh
                backend.gemm(
                    transA: false, transB: true, m: length, n: length, k: dh, alpha: scale,
                    a: q + column, lda: 3 * h, b: q + h + column, ldb: 3 * h, beta: 0, c: workspace.scores, ldc: length)
                BertMath.softmaxRows(workspace.scores, rows: length, columns: length)
                backend.gemm(
                    transA: false, transB: false, m: length, n: dh, k: length, alpha: 1,
                    a: workspace.scores, lda: length, b: q + 2 * h + column, ldb: 3 * h,
                    beta: 0, c: workspace.context + first * h + column, ldc: h)
            }
        }
    }
}
