import Foundation
import HiSoFederation
import HiSoKernels
import HiSoTransformer

/// The `sst2-minilm` task: federated zeroth-order fine-tuning of all-MiniLM-L6-v2 with a
/// classification head on GLUE SST-2, as a `FederatedTask`.
///
/// Usage (the CLI's `--model-dir`, `--data-dir` and task flags map one to one):
/// ```swift
/// let settings = SST2MiniLMTask.Settings(subset: "head", clients: 6, batchSize: 32, maxLength: 64, trainLimit: 20000)
/// let task = try SST2MiniLMTask(modelDirectory: modelURL, dataDirectory: sst2URL, settings: settings, seed: 0)
/// let run = try FederatedRun(configuration: config, task: task)   // config.clients == settings.clients
/// ```
/// To run many configurations on one model, load it once with ``loadModel(directory:)`` and the
/// splits with ``loadData(directory:)``, then use ``init(model:train:dev:settings:seed:backend:)``.
/// Reuse one task across runs (any run seeds) to keep its encoder cache warm.
///
/// Batches and split: the client split (IID or Dirichlet) comes from the task's `seed`; every
/// mini-batch (`batchSize` sentences drawn with replacement from the client's share) is a pure
/// function of (task seed, run seed, client, round, step): the run seed `BatchKey.seed` is
/// mixed into the round key (`round + seed * 0x9E3779B97F4A7C15`, wrapping), so runs with
/// different seeds on one task (one split, one warm cache) see different batches.
/// Evaluation: accuracy and mean cross-entropy on the whole dev split (the test split of GLUE
/// has no labels), train loss on a fixed sample.
///
/// Memory and cost: those of `SST2ClassificationTask` (91 MB model; for head-only training
/// `4 h` bytes per sentence of pooled features, computed on first use, after which a loss costs
/// `O(batch * h)`; for `last-k`, `4 h` bytes per token of cached hidden states). One thread at a time.
public final class SST2MiniLMTask: FederatedTask {
    /// The task's settings (everything but the seed and the file locations).
    public struct Settings: Sendable, Equatable, Codable {
        /// What is trained: `head`, `last-K`, `non-embedding`, `all`, `lora-R[-ALPHA]` (`TrainableSubset`).
        public var subset: String
        /// `M`, the number of clients.
        public var clients: Int
        /// Dirichlet concentration of the label split, or `nil` for an IID split.
        public var dirichletAlpha: Double?
        /// Sentences per mini-batch.
        public var batchSize: Int
        /// Truncation length in tokens, `[CLS]` and `[SEP]` included.
        public var maxLength: Int
        /// Use only the first this many training sentences (`nil`: all 67,349).
        public var trainLimit: Int?
        /// Use only the first this many dev sentences (`nil`: all 872).
        public var devLimit: Int?
        /// Training sentences in the evaluation's train-loss sample.
        public var evaluationTrainSample: Int
        /// Sentences held out of the (limited) training set as the validation split, before the
        /// client split (`SST2Dataset.holdout(count:seed:)` with the task seed; 0: none).
        public var validationCount: Int
        /// The head to start from, `classes * (h + 1)` values (`W` row-major, then `b`), for
        /// example a trained linear probe; `nil`: a fresh head from the run seed.
        public var initialHead: [Float]?

        /// Creates settings; the defaults are the paper's LLM setting (6 clients, IID) with batch 32 and length 64.
        public init(
            subset: String = "head", clients: Int = 6, dirichletAlpha: Double? = nil, batchSize: Int = 32,
            maxLength: Int = 64, trainLimit: Int? = nil, devLimit: Int? = nil, evaluationTrainSample: Int = 512,
            validationCount: Int = 0, initialHead: [Float]? = nil
        ) {
            self.validationCount = validationCount
            self.initialHead = initialHead
            self.subset = subset
            self.clients = clients
            self.dirichletAlpha = dirichletAlpha
            self.batchSize = batchSize
            self.maxLength = maxLength
            self.trainLimit = trainLimit
            self.devLimit = devLimit
            self.evaluationTrainSample = evaluationTrainSample
        }
    }

    /// The settings.
    public let settings: Settings
    /// The seed of the client split and the evaluation's train sample.
    public let seed: UInt64
    /// The wrapped transformer task (classifier, tokenized splits, partition).
    public let inner: SST2ClassificationTask
    /// The validation split's evaluator (its test split is the held-out sentences), `nil` without one.
    public let validation: SST2ClassificationTask?
    /// The first-order methods' buffers, made on first use.
    private lazy var gradientWorkspace = inner.makeGradientWorkspace()

    /// Loads the model and the data and builds the task.
    ///
    /// - Parameters:
    ///   - modelDirectory: the directory `Utils/fetch-minilm` unpacked into, or the model directory itself.
    ///   - dataDirectory: a GLUE SST-2 directory with `train.tsv` and `dev.tsv`.
    ///   - settings: the task settings.
    ///   - seed: the seed of the client split and the evaluation's train sample.
    ///   - backend: the kernels for the encoder (`nil`: the fastest compiled in, one thread).
    /// - Throws: ``SetupError`` (a missing model or data directory says how to obtain it).
    public convenience init(
        modelDirectory: URL, dataDirectory: URL, settings: Settings, seed: UInt64, backend: (any KernelBackend)? = nil
    ) throws(SetupError) {
        let model = try Self.loadModel(directory: modelDirectory)
        let data = try Self.loadData(directory: dataDirectory)
        try self.init(model: model, train: data.train, dev: data.dev, settings: settings, seed: seed, backend: backend)
    }

    /// Builds the task on an already loaded model and data (tokenizes the splits, makes the split).
    ///
    /// - Throws: ``SetupError/invalidSetting(name:value:expected:)`` for bad settings,
    ///   ``SetupError/transformer(_:)`` for the classifier's and the split's errors.
    public init(
        model: PretrainedBert, train: SST2Dataset, dev: SST2Dataset, settings: Settings, seed: UInt64,
        backend: (any KernelBackend)? = nil
    ) throws(SetupError) {
        guard settings.clients >= 1 else {
            throw .invalidSetting(name: "clients", value: "\(settings.clients)", expected: "at least 1")
        }
        if let limit = settings.trainLimit, limit < settings.clients {
            throw .invalidSetting(name: "train limit", value: "\(limit)", expected: "at least the client count \(settings.clients)")
        }
        if let limit = settings.devLimit, limit < 1 {
            throw .invalidSetting(name: "dev limit", value: "\(limit)", expected: "at least 1")
        }
        if let alpha = settings.dirichletAlpha, !(alpha > 0 && alpha.isFinite) {
            throw .invalidSetting(name: "dirichlet alpha", value: "\(alpha)", expected: "a positive finite number")
        }
        guard settings.validationCount >= 0 else {
            throw .invalidSetting(name: "validation sentences", value: "\(settings.validationCount)", expected: "at least 0")
        }
        guard settings.evaluationTrainSample >= 1 else {
            throw .invalidSetting(name: "evaluation train sample", value: "\(settings.evaluationTrainSample)", expected: "at least 1")
        }
        let subset: TrainableSubset
        do { subset = try TrainableSubset(parsing: settings.subset) } catch { throw .transformer(error) }
        let kernels: any KernelBackend
        if let backend {
            kernels = backend
        } else {
            do { kernels = try Kernels.backend(nil, threads: 1) } catch {
                throw .invalidSetting(name: "backend", value: "default", expected: "\(error)")
            }
        }
        let configuration = SST2ClassificationTask.Configuration(
            subset: subset, clients: settings.clients, dirichletAlpha: settings.dirichletAlpha,
            batchSize: settings.batchSize, maxLength: settings.maxLength, trainLimit: nil,
            evaluationTrainSample: settings.evaluationTrainSample, seed: seed)
        let dev = settings.devLimit.map { dev.prefix($0) } ?? dev
        let limited = settings.trainLimit.map { train.prefix($0) } ?? train
        do {
            let split = try limited.holdout(count: settings.validationCount, seed: seed)
            inner = try SST2ClassificationTask(model: model, train: split.train, test: dev, configuration: configuration, backend: kernels)
            if settings.validationCount > 0 {
                var single = configuration
                single.clients = 1
                single.evaluationTrainSample = 1
                validation = try SST2ClassificationTask(
                    model: model, train: split.validation, test: split.validation, configuration: single, backend: kernels)
            } else {
                validation = nil
            }
        } catch let error as TransformerError {
            throw .transformer(error)
        } catch {
            throw .invalidSetting(name: "client split", value: "\(settings.clients) clients", expected: "\(error)")
        }
        if let head = settings.initialHead, head.count != inner.parameterCount - inner.classifier.headOffset {
            throw .invalidSetting(
                name: "initial head", value: "\(head.count) values", expected: "\(inner.parameterCount - inner.classifier.headOffset) (classes x (h + 1))")
        }
        self.settings = settings
        self.seed = seed
    }

    /// `d`, the number of trainable parameters (head only: `2 (h + 1)` = 770 for MiniLM).
    public var parameterCount: Int { inner.parameterCount }
    /// `M`.
    public var clientCount: Int { inner.clientCount }
    /// True: every trainable subset has a backward pass (FedAvg and FedAdam apply).
    public var supportsGradient: Bool { true }

    /// The pretrained encoder with a freshly initialised head (seeded by `seed`), or with
    /// ``Settings/initialHead`` when given.
    public func initialParameters(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>) {
        inner.initialParameters(seed: seed, into: x)
        if let head = settings.initialHead {
            let offset = inner.classifier.headOffset
            for (i, value) in head.enumerated() { x[offset + i] = value }
        }
    }

    /// A replica for parallel clients (`SST2ClassificationTask.replica(backend:)`: the model,
    /// texts, split and warm prefix cache shared), or `nil` for head-only training. A replica only
    /// computes client losses, so it carries no validation split.
    public func makeReplica(backend: any KernelBackend) throws -> (any FederatedTask)? {
        guard let replica = try inner.replica(backend: backend) else { return nil }
        return SST2MiniLMTask(settings: settings, seed: seed, inner: replica)
    }

    private init(settings: Settings, seed: UInt64, inner: SST2ClassificationTask) {
        self.settings = settings
        self.seed = seed
        self.inner = inner
        validation = nil
    }

    /// Mean cross-entropy on the mini-batch of `batch` (see the type's batch rule).
    ///
    /// - Throws: the transformer task's `TransformerError` for a bad client or vector length (the
    ///   run wraps it in `FederationError.task(_:)` with the client and round).
    public func loss(at x: UnsafeBufferPointer<Float>, batch: BatchKey) throws -> Float {
        let round = batch.round &+ batch.seed &* 0x9E37_79B9_7F4A_7C15
        return try inner.loss(at: x, client: batch.client, round: round, step: batch.step)
    }

    /// Mean cross-entropy and its exact gradient (backpropagation through the trainable subset)
    /// on the mini-batch of `batch`, the one ``loss(at:batch:)`` uses.
    ///
    /// - Throws: the transformer task's `TransformerError` for a bad client or vector length (the
    ///   run wraps it in `FederationError.task(_:)` with the client and round).
    /// - Complexity: see `SST2ClassificationTask.lossAndGradient(at:gradient:client:round:step:workspace:)`;
    ///   the first call allocates the gradient workspace (about 50 MB per trainable layer at batch 32, length 64).
    public func lossAndGradient(
        at x: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, batch: BatchKey
    ) throws -> Float {
        let round = batch.round &+ batch.seed &* 0x9E37_79B9_7F4A_7C15
        return try inner.lossAndGradient(
            at: x, gradient: gradient, client: batch.client, round: round, step: batch.step, workspace: gradientWorkspace)
    }

    /// Dev accuracy and loss on the (possibly limited) dev split, train loss on the fixed sample,
    /// and accuracy and loss on the validation split when one is held out.
    ///
    /// - Complexity: head-only, after the first call: `O((dev + validation + sample) * h)`;
    ///   otherwise one forward of the trainable layers over those sentences.
    /// - Throws: the transformer task's error (the run wraps it in `FederationError.task(_:)`).
    public func evaluate(at x: UnsafeBufferPointer<Float>) throws -> TaskEvaluation {
        let result = try inner.evaluate(at: x)
        let held = try validation?.evaluate(at: x)
        return TaskEvaluation(
            testAccuracy: result.testAccuracy, testLoss: result.testLoss, trainLoss: result.trainLoss,
            validationAccuracy: held?.testAccuracy, validationLoss: held?.testLoss)
    }
}
