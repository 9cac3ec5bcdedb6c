import HiSoKernels

extension BertEncoder {
    /// The forward pass of ``forward(_:texts:indices:workspace:backend:cache:)`` in
    /// `workspace.forward`, copying into `workspace`'s records what the backward pass needs from
    /// layer `workspace.firstLayer` on.
    ///
    /// It is the plain forward pass (``prepare(_:texts:indices:workspace:backend:cache:)``, then the
    /// same layer code with a record attached), so its pooled embeddings in `workspace.forward.pooled`
    /// are bit for bit those of the plain forward. The frozen prefix comes from `cache` (texts
    /// missing from it are added) or is computed from the embeddings.
    ///
    /// - Returns: the number of packed tokens.
    /// - Throws: the plain forward's batch errors; ``TransformerError/invalidArgument(name:value:expected:)``
    ///   when the cache holds layers that are recorded (trainable).
    /// - Complexity: the plain forward pass's, plus copying `8 h + 2 I` floats per token and recorded
    ///   layer. Allocates only what ``prepare(_:texts:indices:workspace:backend:cache:)`` does.
    func forwardRecording(
        _ parameters: BertParameterView, texts: EncodedTexts, indices: [Int], workspace: BertGradientWorkspace,
        backend: any KernelBackend, cache: HiddenStateCache?
    ) throws(TransformerError) -> Int {
        let plain = workspace.forward
        let first = workspace.firstLayer
        if let cache, cache.layers > first {
            throw .invalidArgument(name: "cached layers", value: "\(cache.layers)", expected: "at most \(first) (the frozen layers)")
        }
        try prepare(parameters, texts: texts, indices: indices, workspace: plain, backend: backend, cache: cache)
        let start = plain.prefixLayers ?? 0
        plain.hidden.update(from: plain.prefix, count: plain.tokenCount * configuration.hiddenSize)
        for l in start..<configuration.layerCount {
            encoderLayer(l, parameters, workspace: plain, backend: backend, record: l >= first ? workspace.record(l) : nil)
        }
        pool(workspace: plain)
        return plain.tokenCount
    }
}
