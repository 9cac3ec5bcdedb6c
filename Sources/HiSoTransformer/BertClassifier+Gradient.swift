import Foundation
import HiSoKernels

extension BertClassifier {
    /// The mean cross-entropy of the model `trainable` on texts `indices` with `labels` (aligned
    /// with `indices`) and its exact gradient by backpropagation through the trainable subset,
    /// written into `gradient` (laid out like the trainable vector; overwritten, not added to).
    ///
    /// Every subset is supported: the head (one plain forward pass, then the head's gradient),
    /// `last-K` and `non-embedding` (backward through the trainable layers, stopping at the first
    /// one: the frozen prefix's hidden states, possibly from `cache`, are an input), `all` (also
    /// through the embeddings' LayerNorm into the used word, position and token-type rows) and
    /// LoRA (backward through every layer with frozen weights, into the adapters).
    /// Head: `p = softmax(W pooled_b + b)`, `dlogits_b = (p - onehot(y_b)) / batch`,
    /// `dW = sum_b dlogits_b pooled_b^T`, `db = sum_b dlogits_b`, `dpooled_b = W^T dlogits_b`; the
    /// encoder's backward formulas are in ``BertEncoder``'s `backward`.
    ///
    /// - Parameters:
    ///   - trainable: the trainable vector (``trainableCount`` floats).
    ///   - texts: the tokenized texts.
    ///   - indices: the batch, as indices into `texts`.
    ///   - labels: one class per index of `indices`.
    ///   - gradient: receives `d loss / d trainable` (``trainableCount`` floats).
    ///   - workspace: made for this classifier (``BertGradientWorkspace/init(classifier:maxBatch:maxSequenceLength:maxTokens:)``).
    ///   - cache: the frozen prefix's hidden states (``frozenLayers`` layers), for `last-K`.
    ///   - inputGradient: also leave the gradient with respect to the first trainable layer's input
    ///     hidden states in the workspace (``BertGradientWorkspace/inputGradient(row:)``).
    ///   - backend: the kernels that run the GEMMs.
    /// - Returns: the mean loss at `trainable` (the value ``loss(trainable:texts:indices:labels:workspace:backend:)`` gives).
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` for a wrong vector length,
    ///   label, or workspace, and the encoder's batch errors.
    /// - Complexity: the forward pass plus about twice its GEMM work in the trainable layers
    ///   (three times in all; the frozen prefix from `cache` costs a copy). Memory: the workspace's;
    ///   once every text is cached, no allocation beyond the batch preparation's
    ///   (``BertEncoder/prepare(_:texts:indices:workspace:backend:cache:)``).
    public func lossAndGradient(
        trainable: UnsafeBufferPointer<Float>, texts: EncodedTexts, indices: [Int], labels: [Int32],
        gradient: UnsafeMutableBufferPointer<Float>, workspace: BertGradientWorkspace, backend: any KernelBackend,
        cache: HiddenStateCache? = nil, inputGradient: Bool = false
    ) throws(TransformerError) -> Float {
        guard trainable.count == trainableCount else {
            throw .invalidArgument(name: "trainable vector length", value: "\(trainable.count)", expected: "\(trainableCount)")
        }
        guard gradient.count == trainableCount else {
            throw .invalidArgument(name: "gradient length", value: "\(gradient.count)", expected: "\(trainableCount)")
        }
        guard labels.count == indices.count else {
            throw .invalidArgument(name: "labels", value: "\(labels.count)", expected: "one per text (\(indices.count))")
        }
        for b in 0..<labels.count where labels[b] < 0 || labels[b] >= classes {
            throw .invalidArgument(name: "label", value: "\(labels[b])", expected: "0..<\(classes)")
        }
        guard workspace.firstLayer == frozenLayers, workspace.trainsEmbeddings == (split == 0),
              workspace.loraRank >= loraRank
        else {
            throw .invalidArgument(
                name: "gradient workspace", value: "first layer \(workspace.firstLayer), LoRA rank \(workspace.loraRank)",
                expected: "one made for subset \(subset)")
        }
        guard let x = trainable.baseAddress, let g = gradient.baseAddress else {
            throw .invalidArgument(name: "trainable vector", value: "empty", expected: "\(trainableCount) values")
        }
        let plain = workspace.forward
        let encoder = model.encoder
        return try model.parameters.withUnsafeBufferPointer { (base) throws(TransformerError) -> Float in
            let parameters = view(trainable: x, base: base.baseAddress!)
            if encoderIsFrozen {
                try encoder.forward(parameters, texts: texts, indices: indices, workspace: plain, backend: backend)
                return headGradient(trainable: x, features: plain.pooled, labels: labels, gradient: g, dFeatures: nil)
            }
            let tokens = try encoder.forwardRecording(
                parameters, texts: texts, indices: indices, workspace: workspace, backend: backend, cache: cache)
            let loss = headGradient(
                trainable: x, features: plain.pooled, labels: labels, gradient: g, dFeatures: workspace.dPooled)
            let gradients = BertGradientView(
                tail: split < encoder.layout.count ? g + loraCount : nil, split: split, lora: loraRank > 0 ? g : nil)
            encoder.backward(
                parameters, gradient: gradients, tokens: tokens, workspace: workspace, backend: backend,
                inputGradient: inputGradient)
            return loss
        }
    }

    /// The mean cross-entropy of the head on `features` (`labels.count` rows of `h`; the value
    /// ``headLoss(trainable:features:labels:)`` gives, from the same float64 logits), its gradient
    /// with respect to the head (`W`, `b`, written at ``headOffset`` of `gradient`) and, when
    /// `dFeatures` is set, with respect to the features (see ``lossAndGradient(trainable:texts:indices:labels:gradient:workspace:backend:cache:inputGradient:)``).
    ///
    /// - Complexity: `O(batch * classes * h)`, no allocation.
    func headGradient(
        trainable: UnsafePointer<Float>, features: UnsafePointer<Float>, labels: [Int32],
        gradient: UnsafeMutablePointer<Float>, dFeatures: UnsafeMutablePointer<Float>?
    ) -> Float {
        let h = model.encoder.configuration.hiddenSize
        let batch = labels.count
        var total = 0.0
        let w = trainable + headOffset
        let bias = w + classes * h
        let dW = gradient + headOffset
        let dBias = dW + classes * h
        dW.update(repeating: 0, count: classes * (h + 1))
        withUnsafeTemporaryAllocation(of: Double.self, capacity: classes) { logits in
            for b in 0..<batch {
                let row = features + b * h
                var largest = -Double.infinity
                for c in 0..<classes {
                    var z = Double(bias[c])
                    let wc = w + c * h
                    for j in 0..<h { z += Double(wc[j]) * Double(row[j]) }
                    logits[c] = z
                    largest = max(largest, z)
                }
                let label = Int(labels[b])
                let target = logits[label]
                var sum = 0.0
                for c in 0..<classes {
                    logits[c] = Foundation.exp(logits[c] - largest)
                    sum += logits[c]
                }
                total += largest + Foundation.log(sum) - target
                let dRow = dFeatures.map { $0 + b * h }
                dRow?.update(repeating: 0, count: h)
                for c in 0..<classes {
                    let d = Float((logits[c] / sum - (c == label ? 1 : 0)) / Double(batch))
                    let dWc = dW + c * h
                    let wc = w + c * h
                    for j in 0..<h { dWc[j] += d * row[j] }
                    dBias[c] += d
                    if let dRow { for j in 0..<h { dRow[j] += d * wc[j] } }
                }
            }
        }
        return Float(total / Double(max(batch, 1)))
    }
}
