extension SST2ClassificationTask {
    /// A gradient workspace sized for this task's batches and trainable subset (see
    /// ``BertGradientWorkspace`` for its memory: about 50 MB per trainable MiniLM layer at batch 32,
    /// length 64).
    public func makeGradientWorkspace() -> BertGradientWorkspace {
        BertGradientWorkspace(
            classifier: classifier, maxBatch: configuration.batchSize, maxSequenceLength: configuration.maxLength)
    }

    /// The mean cross-entropy of the model `x` on the mini-batch of (client, round, step) (the one
    /// ``loss(at:client:round:step:)`` uses) and its exact gradient, written into `gradient`.
    ///
    /// Head-only training reads the pooled-feature cache; `last-K` training starts from the
    /// hidden-state cache of the frozen layers (see ``BertClassifier/lossAndGradient(trainable:texts:indices:labels:gradient:workspace:backend:cache:inputGradient:)``).
    ///
    /// - Parameters:
    ///   - x: the trainable vector (``parameterCount`` floats).
    ///   - gradient: receives `d loss / d x` (``parameterCount`` floats; overwritten).
    ///   - client: the client whose shard the batch comes from.
    ///   - round: the round of the batch.
    ///   - step: the local step of the batch.
    ///   - gradientWorkspace: from ``makeGradientWorkspace()``.
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` for a bad client, vector length or workspace.
    /// - Complexity: one recording forward pass and one backward pass of the trainable layers
    ///   (head-only: `O(batch * classes * h)` once the features are cached). Once the batch's texts
    ///   are cached, no allocation beyond the batch preparation's.
    public func lossAndGradient(
        at x: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, client: Int, round: UInt64, step: Int,
        workspace gradientWorkspace: BertGradientWorkspace
    ) throws(TransformerError) -> Float {
        guard client >= 0, client < clientCount else {
            throw .invalidArgument(name: "client", value: "\(client)", expected: "0..<\(clientCount)")
        }
        fillBatch(client: client, round: round, step: step)
        for (b, i) in batch.enumerated() { batchLabels[b] = trainLabels[i] }
        guard classifier.encoderIsFrozen else {
            return try classifier.lossAndGradient(
                trainable: x, texts: trainTexts, indices: batch, labels: batchLabels, gradient: gradient,
                workspace: gradientWorkspace, backend: backend, cache: trainStates)
        }
        guard gradient.count == parameterCount, let g = gradient.baseAddress else {
            throw .invalidArgument(name: "gradient length", value: "\(gradient.count)", expected: "\(parameterCount)")
        }
        _ = try batchLoss(x, texts: trainTexts, indices: batch, labels: batchLabels, cache: trainCache, states: nil)
        return classifier.headGradient(
            trainable: x.baseAddress!, features: workspace.pooled, labels: batchLabels, gradient: g, dFeatures: nil)
    }
}
