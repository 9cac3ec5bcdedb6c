import HiSoKernels

extension BertEncoder {
    /// One encoder layer in place on `workspace.hidden` (the prepared batch's packed rows).
    ///
    /// Four GEMMs over all `tokens` rows at once (Q/K/V, attention output, FFN in, FFN out; LoRA
    /// adds two thin ones per adapted projection); the row work between them (bias, attention,
    /// residual + LayerNorm, bias + GELU) is split over `backend.threads` by rows or sequences,
    /// which never changes a result. With a `record`, the activations the backward pass needs are
    /// copied into it (``BertGradientWorkspace/LayerRecord``; `8 h + 2 I` floats per token).
    func encoderLayer(
        _ l: Int, _ parameters: BertParameterView, workspace: BertWorkspace, backend: any KernelBackend,
        record: BertGradientWorkspace.LayerRecord? = nil
    ) {
        let h = configuration.hiddenSize
        let inner = configuration.intermediateSize
        let tokens = workspace.tokenCount
        let offsets = layout.layers[l]
        let x = workspace.hidden
        let threads = backend.threads
        record?.input.update(from: x, count: tokens * h)

        backend.gemm(
            transA: false, transB: true, m: tokens, n: 3 * h, k: h, alpha: 1,
            a: x, lda: h, b: parameters.pointer(offsets.qkvWeight), ldb: h, beta: 0, c: workspace.qkv, ldc: 3 * h)
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
        attention(workspace: workspace, bias: parameters.pointer(offsets.qkvBias), threads: threads)
        record?.keepAttention(workspace, tokens: tokens)

        backend.gemm(
            transA: false, transB: true, m: tokens, n: h, k: h, alpha: 1,
            a: workspace.context, lda: h, b: parameters.pointer(offsets.attentionOutputWeight), ldb: h,
            beta: 1, c: x, ldc: h)
        record?.attentionSum.update(from: x, count: tokens * h)
        biasLayerNorm(
            x, rows: tokens, bias: parameters.pointer(offsets.attentionOutputBias),
            gamma: parameters.pointer(offsets.attentionNormWeight), beta: parameters.pointer(offsets.attentionNormBias),
            threads: threads)
        record?.attended.update(from: x, count: tokens * h)

        backend.gemm(
            transA: false, transB: true, m: tokens, n: inner, k: h, alpha: 1,
            a: x, lda: h, b: parameters.pointer(offsets.intermediateWeight), ldb: h, beta: 0, c: workspace.inner, ldc: inner)
        record?.preActivation.update(from: workspace.inner, count: tokens * inner)
        let activations = workspace.inner
        let innerBias = parameters.pointer(offsets.intermediateBias)
        Self.rows(tokens, threads: threads) { lo, hi in
            BertMath.biasGELU(activations + lo * inner, rows: hi - lo, columns: inner, bias: innerBias)
        }
        record?.activation.update(from: workspace.inner, count: tokens * inner)
        backend.gemm(
            transA: false, transB: true, m: tokens, n: h, k: inner, alpha: 1,
            a: workspace.inner, lda: inner, b: parameters.pointer(offsets.outputWeight), ldb: inner,
            beta: 1, c: x, ldc: h)
        record?.outputSum.update(from: x, count: tokens * h)
        biasLayerNorm(
            x, rows: tokens, bias: parameters.pointer(offsets.outputBias), gamma: parameters.pointer(offsets.outputNormWeight),
            beta: parameters.pointer(offsets.outputNormBias), threads: threads)
    }

    /// ``BertMath/biasLayerNorm(_:rows:columns:bias:gamma:beta:epsilon:)`` on `rows` rows of
    /// width `h`, split over `threads`.
    private func biasLayerNorm(
        _ x: UnsafeMutablePointer<Float>, rows: Int, bias: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
        beta: UnsafePointer<Float>, threads: Int
    ) {
        let h = configuration.hiddenSize
        let epsilon = configuration.layerNormEpsilon
        Self.rows(rows, threads: threads) { lo, hi in
            BertMath.biasLayerNorm(x + lo * h, rows: hi - lo, columns: h, bias: bias, gamma: gamma, beta: beta, epsilon: epsilon)
        }
    }

    /// Runs `body(lo, hi)` over row ranges of `0 ..< rows`, in parallel when `threads > 1` and
    /// there are at least 32 rows per thread.
    @inline(__always)
    static func rows(_ rows: Int, threads: Int, _ body: (Int, Int) -> Void) {
        ParallelRange.forEach(count: rows, threads: threads, minimumPerThread: 32, alignment: 1, body)
    }

    /// Multi-head self-attention of each sequence over its own rows: adds the Q/K/V bias to the
    /// sequence's rows of `workspace.qkv`, then per head `context = softmax(Q K^T / sqrt(dh)) V`
    /// (sequences split over `threads`).
    ///
    /// Per (sequence, head) the keys are transposed into `dh x S8` (`S8` = `S` rounded up to 8,
    /// zero-padded), so that a query's scores are eight-lane sums over `dh` instead of `S`
    /// horizontal dot products.
    /// Complexity: `4 h S` flops per token for a sequence of `S` tokens, plus `S` exponentials per
    /// token and head. Memory: `workspace.scores` and `workspace.keys`.
    private func attention(workspace: BertWorkspace, bias: UnsafePointer<Float>, threads: Int) {
        let h = configuration.hiddenSize
        let dh = configuration.headSize
        let heads = configuration.headCount
        let scale = BertMath.Lanes(repeating: 1 / Float(dh).squareRoot())
        let qkv = workspace.qkv
        let context = workspace.context
        let scores = workspace.scores
        let keys = workspace.keys
        let scoreStride = workspace.scoreStride
        workspace.rowStarts.withUnsafeBufferPointer { starts in
            ParallelRange.forEach(count: workspace.batchCount, threads: threads, minimumPerThread: 4, alignment: 1) { lo, hi in
                for b in lo..<hi {
                    let first = starts[b]
                    let length = starts[b + 1] - first
                    let padded = (length + 7) & ~7
                    let rows = qkv + first * 3 * h
                    let keysT = keys + (first + 7 * b) * dh
                    BertMath.addBias(rows, rows: length, columns: 3 * h, bias: bias)
                    for head in 0..<heads {
                        let column = head * dh
                        for j in 0..<length {
                            let offset: Int = j &* 3 &* h &+ h &+ column
                            let k = rows + offset
                            var target = keysT + j
                            for d in 0..<dh {
                                target.pointee = k[d]
                                target += padded
                            }
                        }
                        for d in 0..<dh {
                            let offset: Int = d &* padded &+ length
                            (keysT + offset).update(repeating: 0, count: padded &- length)
                        }
                        var i = 0
                        while i < length {
                            Self.scoreBlock(
                                queries: rows + i * 3 * h + column, count: min(4, length - i), stride: 3 * h, keys: keysT,
                                padded: padded, dh: dh, scale: scale, scores: scores + (first + i) * scoreStride,
                                scoreStride: scoreStride)
                            i += 4
                        }
                        for i in 0..<length {
                            let row = scores + (first + i) * scoreStride
                            BertMath.softmaxRows(row, rows: 1, columns: length)
                            Self.weightedSum(
                                row, count: length, values: rows + 2 * h + column, stride: 3 * h, dh: dh,
                                into: context + (first + i) * h + column)
                        }
                    }
                }
            }
        }
    }

    /// Scaled scores of `count` (at most 4) consecutive queries against one head's transposed keys:
    /// `scores[r, j] = scale * sum_d q_r[d] keys[d, j]` for `j < padded` (four rows per key load).
    @inline(__always)
    private static func scoreBlock(
        queries: UnsafePointer<Float>, count: Int, stride: Int, keys: UnsafePointer<Float>, padded: Int, dh: Int,
        scale: BertMath.Lanes, scores: UnsafeMutablePointer<Float>, scoreStride: Int
    ) {
        let q0 = queries
        let q1 = queries + min(1, count - 1) * stride
        let q2 = queries + min(2, count - 1) * stride
        let q3 = queries + min(3, count - 1) * stride
        var block = 0
        while block < padded {
            var a0 = BertMath.Lanes(), a1 = BertMath.Lanes(), a2 = BertMath.Lanes(), a3 = BertMath.Lanes()
            var k = keys + block
            for d in 0..<dh {
                let key = BertMath.load(k)
                a0 += BertMath.Lanes(repeating: q0[d]) * key
                a1 += BertMath.Lanes(repeating: q1[d]) * key
                a2 += BertMath.Lanes(repeating: q2[d]) * key
                a3 += BertMath.Lanes(repeating: q3[d]) * key
                k += padded
            }
            BertMath.store(a0 * scale, scores + block)
            if count > 1 { BertMath.store(a1 * scale, scores + scoreStride + block) }
            if count > 2 { BertMath.store(a2 * scale, scores + 2 * scoreStride + block) }
            if count > 3 { BertMath.store(a3 * scale, scores + 3 * scoreStride + block) }
            block += 8
        }
    }

    /// `out[d] = sum_j p[j] v_j[d]` over `count` value rows `stride` apart, eight lanes of `d` at a
    /// time held in registers across `j`.
    @inline(__always)
    private static func weightedSum(
        _ p: UnsafePointer<Float>, count: Int, values: UnsafePointer<Float>, stride: Int, dh: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        var d = 0
        while d + 8 <= dh {
            var lanes = BertMath.Lanes()
            for j in 0..<count { lanes += BertMath.Lanes(repeating: p[j]) * BertMath.load(values + j * stride + d) }
            BertMath.store(lanes, out + d)
            d += 8
        }
        while d < dh {
            var sum: Float = 0
            for j in 0..<count { sum += p[j] * values[j * stride + d] }
            out[d] = sum
            d += 1
        }
    }
}
