import Foundation
import HiSoData
import HiSoKernels

/// A pretrained BERT encoder with a linear classification head on its mean-pooled embedding,
/// trained through a separate flat trainable vector (see ``TrainableSubset``).
///
/// `logits = W pooled + b` with `W` (`classes x h`) and `b` (`classes`); the loss is the mean
/// softmax cross-entropy `mean_b [logsumexp(logits_b) - logits_b[y_b]]`.
///
/// Trainable vector layout: `[LoRA adapters][encoder suffix from layout element split][W][b]`.
/// Frozen weights are read in place from ``PretrainedBert/parameters``; nothing of size `d` is
/// copied per step. Memory: the trainable vector is the caller's; this type holds only the model.
public struct BertClassifier: Sendable {
    /// The pretrained model (its parameters are the frozen base).
    public let model: PretrainedBert
    /// The number of classes.
    public let classes: Int
    /// What is trained.
    public let subset: TrainableSubset
    /// The first layout element that the trainable vector overrides (`layout.count` when none).
    public let split: Int
    /// The LoRA rank (0 without LoRA) and scale `alpha / rank`.
    public let loraRank: Int, loraScale: Float

    /// LoRA adapter floats: `layers * 4 * r * h` (A_q, B_q, A_v, B_v per layer).
    public var loraCount: Int { model.encoder.configuration.layerCount * 4 * loraRank * model.encoder.configuration.hiddenSize }
    /// Where the head starts in the trainable vector.
    public var headOffset: Int { loraCount + model.encoder.layout.count - split }
    /// The number of trainable parameters `d`.
    public var trainableCount: Int { headOffset + classes * (model.encoder.configuration.hiddenSize + 1) }

    /// Creates a classifier.
    ///
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` for fewer than 2 classes,
    ///   `k` outside `1...layers`, or a LoRA rank outside `1...h`.
    public init(model: PretrainedBert, classes: Int = 2, subset: TrainableSubset) throws(TransformerError) {
        let configuration = model.encoder.configuration
        let layout = model.encoder.layout
        guard classes >= 2 else { throw .invalidArgument(name: "classes", value: "\(classes)", expected: "at least 2") }
        self.model = model
        self.classes = classes
        self.subset = subset
        switch subset {
        case .head:
            split = layout.count
            (loraRank, loraScale) = (0, 0)
        case .lastLayers(let k):
            guard k >= 1, k <= configuration.layerCount else {
                throw .invalidArgument(name: "trainable layers", value: "\(k)", expected: "1...\(configuration.layerCount)")
            }
            split = layout.layers[configuration.layerCount - k].start
            (loraRank, loraScale) = (0, 0)
        case .nonEmbedding:
            split = layout.embeddingsEnd
            (loraRank, loraScale) = (0, 0)
        case .all:
            split = 0
            (loraRank, loraScale) = (0, 0)
        case .lora(let rank, let alpha):
            guard rank >= 1, rank <= configuration.hiddenSize else {
                throw .invalidArgument(name: "LoRA rank", value: "\(rank)", expected: "1...\(configuration.hiddenSize)")
            }
            split = layout.count
            (loraRank, loraScale) = (rank, alpha / Float(rank))
        }
    }

    /// Whether the encoder output is independent of the trainable vector (head-only training),
    /// so that pooled embeddings may be cached.
    public var encoderIsFrozen: Bool { subset == .head }

    /// The number of leading encoder layers (with the embeddings) that are entirely frozen:
    /// `L - k` for ``TrainableSubset/lastLayers(_:)``, `L` for the head, 0 otherwise. Their output
    /// may be cached in a ``HiddenStateCache``.
    public var frozenLayers: Int {
        switch subset {
        case .head: return model.encoder.configuration.layerCount
        case .lastLayers(let k): return model.encoder.configuration.layerCount - k
        case .nonEmbedding, .all, .lora: return 0
        }
    }

    /// Writes the initial trainable vector for `seed` into `x` (``trainableCount`` values):
    /// LoRA `A` uniform in `±1/sqrt(h)` and `B = 0` (PEFT's initialisation), the encoder suffix
    /// copied from the pretrained weights, the head `W` uniform in `±1/sqrt(h)` and `b = 0`
    /// (PyTorch's `Linear` bound). Uniforms come from `SeededGenerator(seed: seed, stream: [0x4845_4144])`.
    ///
    /// - Precondition: `x.count == trainableCount`.
    public func initialTrainable(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == trainableCount, "trainable vector must have \(trainableCount) elements")
        let h = model.encoder.configuration.hiddenSize
        var generator = SeededGenerator(seed: seed, stream: [0x4845_4144])
        let bound = 1 / Float(h).squareRoot()
        let adapter = loraRank * h
        for l in 0..<model.encoder.configuration.layerCount {
            for slot in 0..<4 {
                let start = (l * 4 + slot) * adapter
                for i in start..<(start + adapter) { x[i] = slot % 2 == 0 ? Float(generator.nextUnitDouble() * 2 - 1) * bound : 0 }
            }
        }
        model.parameters.withUnsafeBufferPointer { p in
            for i in split..<model.encoder.layout.count { x[loraCount + i - split] = p[i] }
        }
        for i in headOffset..<(headOffset + classes * h) { x[i] = Float(generator.nextUnitDouble() * 2 - 1) * bound }
        for i in (headOffset + classes * h)..<trainableCount { x[i] = 0 }
    }

    /// The encoder's parameter view for the trainable vector `trainable` over the frozen base `base`.
    func view(trainable: UnsafePointer<Float>, base: UnsafePointer<Float>) -> BertParameterView {
        BertParameterView(
            base: base, tail: split < model.encoder.layout.count ? trainable + loraCount : nil, split: split,
            lora: loraRank > 0 ? trainable : nil, loraRank: loraRank, loraScale: loraScale)
    }

    /// Runs the encoder on `indices` of `texts`; the pooled embeddings land in `workspace.pooled`.
    ///
    /// - Parameters:
    ///   - trainable: the trainable vector (``trainableCount`` floats).
    ///   - texts: the tokenized texts.
    ///   - indices: the batch, as indices into `texts`.
    ///   - workspace: receives the pooled embeddings; made for this classifier.
    ///   - backend: the kernels that run the GEMMs.
    ///   - cache: cached outputs of the frozen prefix (at most ``frozenLayers`` layers).
    /// - Throws: the encoder's batch errors; ``TransformerError/invalidArgument(name:value:expected:)``
    ///   when `trainable` has the wrong length or the cache reaches into trainable layers.
    public func encode(
        trainable: UnsafeBufferPointer<Float>, texts: EncodedTexts, indices: [Int], workspace: BertWorkspace,
        backend: any KernelBackend, cache: HiddenStateCache? = nil
    ) throws(TransformerError) {
        try prepare(trainable: trainable, texts: texts, indices: indices, workspace: workspace, backend: backend, cache: cache)
        try encodePrepared(trainable: trainable, workspace: workspace, backend: backend)
    }

    /// Prepares the batch `indices` of `texts` for the forward passes of one zeroth-order step
    /// (see ``BertEncoder/prepare(_:texts:indices:workspace:backend:cache:)``): checks and packs
    /// it, and stores the output of everything that ``TrainableSubset`` keeps frozen — the cached
    /// prefix for `last-k`, the embeddings for `non-embedding` and LoRA — which does not depend on
    /// the perturbation and so is computed once per batch, from `trainable`.
    ///
    /// - Throws: as ``encode(trainable:texts:indices:workspace:backend:cache:)``.
    /// - Complexity: with a warm cache, a copy of `tokens * h` floats; allocates nothing then.
    public func prepare(
        trainable: UnsafeBufferPointer<Float>, texts: EncodedTexts, indices: [Int], workspace: BertWorkspace,
        backend: any KernelBackend, cache: HiddenStateCache? = nil
    ) throws(TransformerError) {
        try checkLength(trainable)
        if let cache, cache.layers > frozenLayers {
            throw .invalidArgument(name: "cached layers", value: "\(cache.layers)", expected: "at most \(frozenLayers) frozen layers")
        }
        try model.parameters.withUnsafeBufferPointer { (base) throws(TransformerError) in
            try model.encoder.prepare(
                view(trainable: trainable.baseAddress!, base: base.baseAddress!), texts: texts, indices: indices,
                workspace: workspace, backend: backend, cache: cache)
        }
    }

    /// One forward pass of the prepared batch (``prepare(trainable:texts:indices:workspace:backend:cache:)``)
    /// at `trainable`; the pooled embeddings land in `workspace.pooled`. Re-embeds first when the
    /// embeddings train (``TrainableSubset/all``).
    ///
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` when `trainable` has the
    ///   wrong length or no batch is prepared.
    /// - Complexity: the unfrozen layers' forward pass; allocates nothing.
    public func encodePrepared(
        trainable: UnsafeBufferPointer<Float>, workspace: BertWorkspace, backend: any KernelBackend
    ) throws(TransformerError) {
        try checkLength(trainable)
        guard workspace.prefixLayers != nil else {
            throw .invalidArgument(name: "workspace", value: "no prepared batch", expected: "a batch from prepare(...)")
        }
        model.parameters.withUnsafeBufferPointer { base in
            let parameters = view(trainable: trainable.baseAddress!, base: base.baseAddress!)
            if subset == .all { model.encoder.embedPrepared(parameters, workspace: workspace) }
            model.encoder.forwardPrepared(parameters, workspace: workspace, backend: backend)
        }
    }

    /// The mean cross-entropy and the number of correct argmax predictions of the head on
    /// `features` (`labels.count` rows of `h` pooled values).
    ///
    /// - Complexity: O(batch * classes * h).
    public func headLoss(
        trainable: UnsafeBufferPointer<Float>, features: UnsafePointer<Float>, labels: [Int32]
    ) -> (loss: Float, correct: Int) {
        let h = model.encoder.configuration.hiddenSize
        let w = trainable.baseAddress! + headOffset
        let bias = w + classes * h
        var total = 0.0
        var correct = 0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: classes) { logits in
            for b in 0..<labels.count {
                let label = labels[b]
                let row = features + b * h
                var best = 0
                for c in 0..<classes {
                    var z = Double(bias[c])
                    let wc = w + c * h
                    for j in 0..<h { z += Double(wc[j]) * Double(row[j]) }
                    logits[c] = z
                    if z > logits[best] { best = c }
                }
                var sumExp = 0.0
                for c in 0..<classes { sumExp += Foundation.exp(logits[c] - logits[best]) }
                total += logits[best] + Foundation.log(sumExp) - logits[Int(label)]
                if best == Int(label) { correct += 1 }
            }
        }
        return (Float(total / Double(max(labels.count, 1))), correct)
    }

    /// The mean cross-entropy loss of the model `trainable` on texts `indices` with `labels`
    /// (one encoder forward pass, then the head).
    ///
    /// - Throws: as ``encode(trainable:texts:indices:workspace:backend:cache:)``.
    public func loss(
        trainable: UnsafeBufferPointer<Float>, texts: EncodedTexts, indices: [Int], labels: [Int32],
        workspace: BertWorkspace, backend: any KernelBackend
    ) throws(TransformerError) -> Float {
        try encode(trainable: trainable, texts: texts, indices: indices, workspace: workspace, backend: backend)
        return headLoss(trainable: trainable, features: workspace.pooled, labels: indices.map { labels[$0] }).loss
    }

    private func checkLength(_ trainable: UnsafeBufferPointer<Float>) throws(TransformerError) {
        guard trainable.count == trainableCount, trainable.baseAddress != nil else {
            throw .invalidArgument(name: "trainable vector length", value: "\(trainable.count)", expected: "\(trainableCount)")
        }
    }
}
