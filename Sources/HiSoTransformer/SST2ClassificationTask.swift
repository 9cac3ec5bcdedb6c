import HiSoData
import HiSoKernels

/// Federated SST-2 sentiment classification with a pretrained BERT (the `sst2-minilm` task):
/// the training split is divided among clients, and every loss is the mean cross-entropy of a
/// mini-batch, evaluated through ``BertClassifier``.
///
/// Its methods mirror `HiSoFederation.FederatedTask` (parameter count, client count, initial
/// parameters, loss of a (client, round, step) mini-batch, evaluation), so the adapter in the
/// tools is one line per method; this module sits below the federation and cannot conform itself.
///
/// - Mini-batches: `batchSize` indices drawn uniformly with replacement from the client's
///   samples by `SeededGenerator(seed: seed, stream: [0x5353_5432, client, round, step])`.
/// - Evaluation: test loss and accuracy on the whole test split; "train loss" on a fixed sample
///   of `evaluationTrainSample` training sentences (the full 67k set costs minutes per call).
/// - Head-only training caches each sentence's pooled embedding on first use (the encoder is
///   frozen), after which a loss costs `O(batch * classes * h)`. Training the last `k` layers
///   caches each sentence's hidden states after the frozen layers (``HiddenStateCache``), so a
///   loss re-runs only the last `k` layers.
///
/// Memory: the model (91 MB), the tokenized splits, a workspace for `batchSize` sequences of
/// `maxLength`; for head-only training `4 h` bytes per sentence, for last-`k` training `4 h`
/// bytes per token (about 150 MB for 6,000 training phrases plus the dev split).
/// One thread at a time (it owns a workspace).
public final class SST2ClassificationTask {
    /// The task's settings.
    public struct Configuration: Sendable, Equatable {
        /// What is trained.
        public var subset: TrainableSubset
        /// `M`, the number of clients.
        public var clients: Int
        /// Dirichlet concentration of the label split, or `nil` for an IID split.
        public var dirichletAlpha: Double?
        /// Sentences per mini-batch.
        public var batchSize: Int
        /// Truncation length in tokens, `[CLS]` and `[SEP]` included.
        public var maxLength: Int
        /// Use only the first this many training sentences (`nil`: all).
        public var trainLimit: Int?
        /// Training sentences in the evaluation's train-loss sample.
        public var evaluationTrainSample: Int
        /// The seed of the split, the batches and the evaluation sample.
        public var seed: UInt64

        /// Creates settings; the defaults are the paper's LLM setting (6 clients) with batch 32 and length 64.
        public init(
            subset: TrainableSubset = .head, clients: Int = 6, dirichletAlpha: Double? = nil, batchSize: Int = 32,
            maxLength: Int = 64, trainLimit: Int? = nil, evaluationTrainSample: Int = 512, seed: UInt64 = 0
        ) {
            self.subset = subset
            self.clients = clients
            self.dirichletAlpha = dirichletAlpha
            self.batchSize = batchSize
            self.maxLength = maxLength
            self.trainLimit = trainLimit
            self.evaluationTrainSample = evaluationTrainSample
            self.seed = seed
        }
    }

    /// The settings.
    public let configuration: Configuration
    /// The model and head.
    public let classifier: BertClassifier
    /// The tokenized training and test sentences and their labels.
    public let trainTexts: EncodedTexts, testTexts: EncodedTexts
    /// Labels of the training and test sentences.
    public let trainLabels: [Int32], testLabels: [Int32]
    /// The client split of the training sentences.
    public let partition: Partition
    /// The kernels.
    public let backend: any KernelBackend
    let workspace: BertWorkspace
    private let evaluationSample: [Int]
    var batch: [Int]
    var batchLabels: [Int32]
    var trainCache: FeatureCache?
    private var testCache: FeatureCache?
    var trainStates: HiddenStateCache?
    private var testStates: HiddenStateCache?
    /// The (client, round, step) whose batch the workspace holds prepared, if any.
    private var preparedKey: BatchKey?
    /// Whether every training sentence's frozen prefix is cached (``warmPrefixCache(at:)``).
    private var prefixWarm = false

    /// A training mini-batch's identity.
    private struct BatchKey: Equatable {
        var client: Int, round: UInt64, step: Int
    }

    /// Tokenizes the splits and divides the training split among the clients.
    ///
    /// - Throws: ``TransformerError`` for invalid settings (and the classifier's errors);
    ///   `HiSoData.DataError` when the split cannot be made (for example more clients than sentences).
    public init(
        model: PretrainedBert, train: SST2Dataset, test: SST2Dataset, configuration: Configuration,
        backend: any KernelBackend
    ) throws {
        guard configuration.batchSize >= 1 else {
            throw TransformerError.invalidArgument(name: "batch size", value: "\(configuration.batchSize)", expected: "at least 1")
        }
        guard configuration.maxLength >= 2, configuration.maxLength <= model.encoder.configuration.maxPositions else {
            throw TransformerError.invalidArgument(
                name: "max length", value: "\(configuration.maxLength)", expected: "2...\(model.encoder.configuration.maxPositions)")
        }
        self.configuration = configuration
        self.backend = backend
        classifier = try BertClassifier(model: model, classes: SST2Dataset.classCount, subset: configuration.subset)
        let train = configuration.trainLimit.map { train.prefix($0) } ?? train
        trainTexts = try EncodedTexts(train.sentences, tokenizer: model.tokenizer, maxLength: configuration.maxLength)
        testTexts = try EncodedTexts(test.sentences, tokenizer: model.tokenizer, maxLength: configuration.maxLength)
        trainLabels = train.labels
        testLabels = test.labels
        if let alpha = configuration.dirichletAlpha {
            partition = try Partition.dirichlet(
                labels: train.labels, classCount: SST2Dataset.classCount, clients: configuration.clients, alpha: alpha,
                seed: configuration.seed)
        } else {
            partition = try Partition.iid(labels: train.labels, clients: configuration.clients, seed: configuration.seed)
        }
        var order = Array(0..<train.count)
        var generator = SeededGenerator(seed: configuration.seed, stream: [0x5353_5432, 0x4556_414C])
        generator.shuffle(&order)
        evaluationSample = Array(order.prefix(configuration.evaluationTrainSample))
        workspace = BertWorkspace(
            configuration: model.encoder.configuration, maxBatch: configuration.batchSize,
            maxSequenceLength: configuration.maxLength, loraRank: classifier.loraRank)
        batch = [Int](repeating: 0, count: configuration.batchSize)
        batchLabels = [Int32](repeating: 0, count: configuration.batchSize)
        if classifier.encoderIsFrozen {
            let h = model.encoder.configuration.hiddenSize
            trainCache = FeatureCache(count: trainTexts.count, width: h)
            testCache = FeatureCache(count: testTexts.count, width: h)
        } else if classifier.frozenLayers > 0 {
            let h = model.encoder.configuration.hiddenSize
            trainStates = HiddenStateCache(texts: trainTexts, layers: classifier.frozenLayers, width: h)
            testStates = HiddenStateCache(texts: testTexts, layers: classifier.frozenLayers, width: h)
        }
    }

    /// `d`, the number of trainable parameters.
    public var parameterCount: Int { classifier.trainableCount }
    /// `M`, the number of clients.
    public var clientCount: Int { partition.clientCount }

    /// Writes the initial trainable vector for `seed` (see ``BertClassifier/initialTrainable(seed:into:)``).
    public func initialParameters(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>) {
        classifier.initialTrainable(seed: seed, into: x)
    }

    /// The training indices of the mini-batch of (client, round, step).
    ///
    /// - Precondition: `client` is in `0..<clientCount`.
    public func batchIndices(client: Int, round: UInt64, step: Int) -> [Int] {
        fillBatch(client: client, round: round, step: step)
        return batch
    }

    /// The mean cross-entropy of the model `x` on the mini-batch of (client, round, step).
    ///
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` for a bad client or vector length.
    /// Consecutive calls for the same (client, round, step) — the forward passes of one ZO step —
    /// share the prepared batch: its ids, row starts and the frozen part's output
    /// (``BertClassifier/prepare(trainable:texts:indices:workspace:backend:cache:)``); only the
    /// first call draws, checks and packs the batch.
    ///
    /// - Complexity: one forward pass of the trainable layers on `batchSize` sentences (head-only:
    ///   cached after first use). Allocates nothing once the batch's prefix is cached.
    public func loss(at x: UnsafeBufferPointer<Float>, client: Int, round: UInt64, step: Int) throws(TransformerError) -> Float {
        guard client >= 0, client < clientCount else {
            throw .invalidArgument(name: "client", value: "\(client)", expected: "0..<\(clientCount)")
        }
        guard x.count == parameterCount else {
            throw .invalidArgument(name: "parameter vector length", value: "\(x.count)", expected: "\(parameterCount)")
        }
        let key = BatchKey(client: client, round: round, step: step)
        if let trainCache {
            fillBatch(client: client, round: round, step: step)
            for (b, i) in batch.enumerated() { batchLabels[b] = trainLabels[i] }
            return try batchLoss(x, texts: trainTexts, indices: batch, labels: batchLabels, cache: trainCache, states: nil).loss
        }
        if preparedKey != key {
            preparedKey = nil
            if trainStates != nil, !prefixWarm { try warmPrefixCache(at: x) }
            fillBatch(client: client, round: round, step: step)
            for (b, i) in batch.enumerated() { batchLabels[b] = trainLabels[i] }
            try classifier.prepare(
                trainable: x, texts: trainTexts, indices: batch, workspace: workspace, backend: backend, cache: trainStates)
            preparedKey = key
        }
        try classifier.encodePrepared(trainable: x, workspace: workspace, backend: backend)
        return classifier.headLoss(trainable: x, features: workspace.pooled, labels: batchLabels).loss
    }

    /// Computes and caches the frozen prefix's hidden states of every training sentence not yet
    /// cached (``TrainableSubset/lastLayers(_:)`` only; otherwise nothing to do), `batchSize`
    /// sentences at a time in index order, so that rounds afterwards run only the trainable layers.
    ///
    /// The first training loss calls it, so the cached rows never depend on which batches came
    /// first (or on clients running in parallel), and the cache is read-only afterwards. It costs
    /// what filling the cache lazily costs over a long run (every sentence once).
    ///
    /// - Parameter x: any trainable vector of the right length (the prefix does not read it).
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` for a wrong vector length.
    /// - Complexity: the frozen layers' forward pass on every uncached training sentence.
    public func warmPrefixCache(at x: UnsafeBufferPointer<Float>) throws(TransformerError) {
        guard let trainStates else { return }
        preparedKey = nil
        let missing = (0..<trainTexts.count).filter { !trainStates.has($0) }
        var start = 0
        while start < missing.count {
            let chunk = Array(missing[start..<min(start + configuration.batchSize, missing.count)])
            try classifier.prepare(
                trainable: x, texts: trainTexts, indices: chunk, workspace: workspace, backend: backend, cache: trainStates)
            start += chunk.count
        }
        prefixWarm = true
    }

    /// A replica for running clients in parallel (`nil` for head-only training, whose feature
    /// cache fills lazily): it shares this task's model, texts, split and prefix cache (warmed
    /// first, then read-only) and owns its workspace and batch buffers; its losses are this task's,
    /// bit for bit, computed on `backend`.
    ///
    /// - Complexity: ``warmPrefixCache(at:)`` if not done yet. Memory: a workspace and `d` floats
    ///   for the warm-up's vector.
    public func replica(backend: any KernelBackend) throws(TransformerError) -> SST2ClassificationTask? {
        guard trainCache == nil else { return nil }
        if trainStates != nil, !prefixWarm {
            let x = [Float](repeating: 0, count: parameterCount)
            try x.withUnsafeBufferPointer { (p) throws(TransformerError) in try warmPrefixCache(at: p) }
        }
        return SST2ClassificationTask(replicating: self, backend: backend)
    }

    private init(replicating source: SST2ClassificationTask, backend: any KernelBackend) {
        configuration = source.configuration
        classifier = source.classifier
        trainTexts = source.trainTexts
        testTexts = source.testTexts
        trainLabels = source.trainLabels
        testLabels = source.testLabels
        partition = source.partition
        self.backend = backend
        workspace = BertWorkspace(
            configuration: source.classifier.model.encoder.configuration, maxBatch: source.configuration.batchSize,
            maxSequenceLength: source.configuration.maxLength, loraRank: source.classifier.loraRank)
        evaluationSample = source.evaluationSample
        batch = source.batch
        batchLabels = source.batchLabels
        trainStates = source.trainStates
        testStates = source.testStates
        prefixWarm = source.prefixWarm
    }

    /// Test accuracy and loss on the whole test split, and the loss on the fixed training sample.
    ///
    /// - Throws: as ``loss(at:client:round:step:)``.
    public func evaluate(at x: UnsafeBufferPointer<Float>) throws(TransformerError) -> (testAccuracy: Double, testLoss: Double, trainLoss: Double) {
        preparedKey = nil
        let test = try meanLoss(
            x, texts: testTexts, indices: Array(0..<testTexts.count), labels: testLabels, cache: testCache, states: testStates)
        let train = try meanLoss(
            x, texts: trainTexts, indices: evaluationSample, labels: trainLabels, cache: trainCache, states: trainStates)
        return (Double(test.correct) / Double(max(testTexts.count, 1)), test.loss, train.loss)
    }

    /// Mean loss and correct count over `indices`, in workspace-sized chunks.
    private func meanLoss(
        _ x: UnsafeBufferPointer<Float>, texts: EncodedTexts, indices: [Int], labels: [Int32], cache: FeatureCache?,
        states: HiddenStateCache?
    ) throws(TransformerError) -> (loss: Double, correct: Int) {
        var total = 0.0
        var correct = 0
        var start = 0
        while start < indices.count {
            let chunk = Array(indices[start..<min(start + configuration.batchSize, indices.count)])
            let chunkLabels = chunk.map { labels[$0] }
            let result = try batchLoss(x, texts: texts, indices: chunk, labels: chunkLabels, cache: cache, states: states)
            total += Double(result.loss) * Double(chunk.count)
            correct += result.correct
            start += chunk.count
        }
        return (total / Double(max(indices.count, 1)), correct)
    }

    /// Loss and correct count of one batch, through the pooled-feature cache when the encoder is
    /// frozen, or the hidden-state cache when only the last layers train.
    func batchLoss(
        _ x: UnsafeBufferPointer<Float>, texts: EncodedTexts, indices: [Int], labels: [Int32],
        cache: FeatureCache?, states: HiddenStateCache?
    ) throws(TransformerError) -> (loss: Float, correct: Int) {
        guard x.count == parameterCount else {
            throw .invalidArgument(name: "parameter vector length", value: "\(x.count)", expected: "\(parameterCount)")
        }
        if let cache {
            if indices.contains(where: { !cache.has($0) }) {
                let missing = indices.filter { !cache.has($0) }
                try classifier.encode(trainable: x, texts: texts, indices: missing, workspace: workspace, backend: backend)
                for (b, i) in missing.enumerated() { cache.store(i, from: workspace.pooled + b * cache.width) }
            }
            for (b, i) in indices.enumerated() { cache.load(i, into: workspace.pooled + b * cache.width) }
        } else {
            try classifier.encode(
                trainable: x, texts: texts, indices: indices, workspace: workspace, backend: backend, cache: states)
        }
        return classifier.headLoss(trainable: x, features: workspace.pooled, labels: labels)
    }

    /// Fills `batch` with the (client, round, step) mini-batch.
    func fillBatch(client: Int, round: UInt64, step: Int) {
        preparedKey = nil  // the prepared batch no longer matches `batch` and `batchLabels`
        let members = partition.clients[client]
        var generator = SeededGenerator(seed: configuration.seed, stream: [0x5353_5432, UInt64(client), round, UInt64(step)])
        for b in 0..<batch.count { batch[b] = members[generator.nextIndex(below: members.count)] }
    }
}
