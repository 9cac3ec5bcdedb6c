import HiSoModels

extension BertEncoder {
    /// The GEMMs one forward pass of `tokens` packed rows issues from layer `first` on, in order:
    /// per layer `Q/K/V = [t x h] [3h x h]^T`, with LoRA rank `r > 0` the adapters'
    /// `[t x h] [r x h]^T` and `+= [t x r] [h x r]^T` for the query and the value, the attention
    /// output `+= [t x h] [h x h]^T`, the FFN `[t x h] [I x h]^T` and `+= [t x I] [h x I]^T` (the
    /// two `+=` accumulate into the hidden states: the residual connection costs no extra pass).
    /// Attention itself runs as row work per sequence, not as GEMMs.
    ///
    /// Benchmarks time these alone as the forward's floor. Their flops are
    /// `2 t (L - first) (4 h^2 + 2 h I + 4 r h)`.
    public func forwardGEMMs(tokens: Int, first: Int = 0, loraRank: Int = 0) -> [GEMMShape] {
        let h = configuration.hiddenSize
        let inner = configuration.intermediateSize
        var layer = [GEMMShape(transA: false, transB: true, m: tokens, n: 3 * h, k: h)]
        if loraRank > 0 {
            for _ in 0..<2 {
                layer.append(GEMMShape(transA: false, transB: true, m: tokens, n: loraRank, k: h))
                layer.append(GEMMShape(transA: false, transB: true, m: tokens, n: h, k: loraRank, accumulate: true))
            }
        }
        layer += [
            GEMMShape(transA: false, transB: true, m: tokens, n: h, k: h, accumulate: true),
            GEMMShape(transA: false, transB: true, m: tokens, n: inner, k: h),
            GEMMShape(transA: false, transB: true, m: tokens, n: h, k: inner, accumulate: true),
        ]
        return (first..<configuration.layerCount).flatMap { _ in layer }
    }
}
