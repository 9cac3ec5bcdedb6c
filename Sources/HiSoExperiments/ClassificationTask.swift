import HiSoData
import HiSoFederation
import HiSoKernels
import HiSoModels

/// A `FederatedTask` over a HiSoModels `Network` and HiSoData data sets split by a
/// `Partition`: the peer's image-classification setting.
///
/// Batches: client `i` walks its own rows in seeded, epoch-wise shuffled order
/// (`ClientBatcher`, seeded by the run seed); the batch of local step `k` of round `r` is
/// overall batch number `r tau + k` of that stream (a pure function of
/// (seed, client, round, step), so replay and resume need no batcher state). The loss is the
/// mean softmax cross-entropy on the batch; evaluation runs the whole test and train sets in
/// chunks of ``evaluationBatchSize``.
///
/// Memory: one network workspace for ``batchSize`` and one for ``evaluationBatchSize``, one
/// batch buffer, and two index arrays per client. Not thread-safe (one run at a time).
public final class ClassificationTask: FederatedTask {
    /// The model.
    public let network: Network
    /// Training data (indexed by the partition).
    public let train: Dataset
    /// Test data.
    public let test: Dataset
    /// A validation split held out from the training data (`nil`: none), evaluated beside the
    /// test set so that learning rates can be chosen without looking at the test set.
    public let validation: Dataset?
    /// Which training rows belong to which client.
    public let partition: Partition
    /// Samples per client batch.
    public let batchSize: Int
    /// `tau`, which numbers the batches (`r tau + k`).
    public let localSteps: Int
    /// Samples per forward pass during evaluation.
    public let evaluationBatchSize: Int
    /// The kernels for the forward passes.
    public let backend: any KernelBackend
    private let workspace: NetworkWorkspace
    private let evaluationWorkspace: NetworkWorkspace
    private var batchers: [ClientBatcher] = []
    private var batcherSeed: UInt64?
    private var batch: Batch
    private var loadedKey: BatchKey?

    /// Creates the task.
    ///
    /// - Parameters:
    ///   - network: the model.
    ///   - train: the training rows the partition indexes.
    ///   - test: the reported test set.
    ///   - partition: which training rows belong to which client.
    ///   - batchSize: samples per client batch.
    ///   - localSteps: `tau`, which numbers the batches.
    ///   - backend: the kernels of the forward passes.
    ///   - evaluationBatchSize: samples per forward pass during evaluation.
    ///   - validation: rows held out from the training data, evaluated as the validation split.
    /// - Throws: `FederationError.taskMismatch(what:expected:found:)` when the data's feature
    ///   or class count does not fit the network, the partition does not index `train`, or a
    ///   size is not positive.
    public init(
        network: Network, train: Dataset, test: Dataset, partition: Partition, batchSize: Int, localSteps: Int = 1,
        backend: any KernelBackend, evaluationBatchSize: Int = 512, validation: Dataset? = nil
    ) throws(FederationError) {
        guard batchSize >= 1, localSteps >= 1, evaluationBatchSize >= 1 else {
            throw .taskMismatch(what: "batch size / local steps / evaluation batch size", expected: "at least 1",
                                found: "\(batchSize) / \(localSteps) / \(evaluationBatchSize)")
        }
        guard partition.sampleCount == train.count else {
            throw .taskMismatch(what: "partition sample count", expected: "\(train.count) (train rows)", found: "\(partition.sampleCount)")
        }
        do {
            try network.validate(inputFeatures: train.featureCount, classCount: train.classCount)
            try network.validate(inputFeatures: test.featureCount, classCount: test.classCount)
            if let validation { try network.validate(inputFeatures: validation.featureCount, classCount: validation.classCount) }
            workspace = try network.makeWorkspace(batchSize: batchSize)
            evaluationWorkspace = try network.makeWorkspace(batchSize: evaluationBatchSize)
        } catch {
            throw .taskMismatch(what: "network \(network.name) vs data", expected: "matching shapes", found: "\(error)")
        }
        self.network = network
        self.train = train
        self.test = test
        self.validation = validation
        self.partition = partition
        self.batchSize = batchSize
        self.localSteps = localSteps
        self.evaluationBatchSize = evaluationBatchSize
        self.backend = backend
        batch = Batch(capacity: batchSize, featureCount: train.featureCount)
    }

    /// `d`.
    public var parameterCount: Int { network.parameterCount }
    /// The partition's client count.
    public var clientCount: Int { partition.clientCount }
    /// Always true (backpropagation).
    public var supportsGradient: Bool { true }

    /// PyTorch-default initialisation seeded by `seed` (`Network.initializeParameters(into:seed:)`).
    public func initialParameters(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>) {
        network.initializeParameters(into: x, seed: seed)
    }

    /// A replica sharing the network, the data and the split, with its own training workspace
    /// and batch buffer (a one-row evaluation workspace: replicas serve losses), running its
    /// forward passes on `backend`; batches are pure functions of the key.
    public func makeReplica(backend: any KernelBackend) throws -> (any FederatedTask)? {
        try ClassificationTask(
            network: network, train: train, test: test, partition: partition, batchSize: batchSize, localSteps: localSteps,
            backend: backend, evaluationBatchSize: 1, validation: validation)
    }

    /// Mean cross-entropy on the batch of `key`.
    public func loss(at x: UnsafeBufferPointer<Float>, batch key: BatchKey) throws -> Float {
        try withBatch(key) { inputs, labels in
            try network.loss(
                parameters: x, inputs: inputs, labels: labels, count: labels.count, workspace: workspace, backend: backend)
        }
    }

    /// Mean cross-entropy and its gradient on the batch of `key`.
    public func lossAndGradient(
        at x: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, batch key: BatchKey
    ) throws -> Float {
        try withBatch(key) { inputs, labels in
            try network.lossAndGradient(
                parameters: x, inputs: inputs, labels: labels, count: labels.count, gradient: gradient,
                workspace: workspace, backend: backend)
        }
    }

    /// Test accuracy and loss, the training loss over every training row, and the validation
    /// split's accuracy and loss when the task holds one out.
    public func evaluate(at x: UnsafeBufferPointer<Float>) throws -> TaskEvaluation {
        let testResult = try evaluate(x, on: test)
        let trainResult = try evaluate(x, on: train)
        let validationResult = try validation.map { try evaluate(x, on: $0) }
        return TaskEvaluation(
            testAccuracy: testResult.accuracy, testLoss: testResult.loss, trainLoss: trainResult.loss,
            validationAccuracy: validationResult?.accuracy, validationLoss: validationResult?.loss)
    }

    private func evaluate(_ x: UnsafeBufferPointer<Float>, on data: Dataset) throws -> (loss: Double, accuracy: Double) {
        var lossSum = 0.0
        var correct = 0
        let width = data.featureCount
        try data.features.withUnsafeBufferPointer { features in
            try data.labels.withUnsafeBufferPointer { labels in
                var start = 0
                while start < data.count {
                    let count = min(evaluationBatchSize, data.count - start)
                    let result = try network.evaluate(
                        parameters: x, inputs: UnsafeBufferPointer(rebasing: features[(start * width)..<((start + count) * width)]),
                        labels: UnsafeBufferPointer(rebasing: labels[start..<(start + count)]), count: count,
                        workspace: evaluationWorkspace, backend: backend)
                    lossSum += Double(result.loss) * Double(count)
                    correct += result.correct
                    start += count
                }
            }
        }
        return (lossSum / Double(data.count), Double(correct) / Double(data.count))
    }

    /// Runs `body` on the valid rows of the batch of `key` (features row-major, then labels).
    private func withBatch<R>(
        _ key: BatchKey, _ body: (_ inputs: UnsafeBufferPointer<Float>, _ labels: UnsafeBufferPointer<Int32>) throws -> R
    ) throws -> R {
        try load(key)
        let count = batch.count
        let width = train.featureCount
        return try batch.features.withUnsafeBufferPointer { features in
            try batch.labels.withUnsafeBufferPointer { labels in
                try body(
                    UnsafeBufferPointer(rebasing: features[0..<(count * width)]), UnsafeBufferPointer(rebasing: labels[0..<count]))
            }
        }
    }

    /// Fills the batch buffer for `key` unless it already holds it.
    private func load(_ key: BatchKey) throws {
        if loadedKey == key { return }
        guard key.client >= 0 && key.client < partition.clientCount else {
            throw FederationError.taskMismatch(what: "client index", expected: "0..<\(partition.clientCount)", found: "\(key.client)")
        }
        guard key.step >= 0 && key.step < localSteps else {
            throw FederationError.taskMismatch(
                what: "local step of the batch (the task was built for tau = \(localSteps))", expected: "0..<\(localSteps)",
                found: "\(key.step)")
        }
        if batcherSeed != key.seed {
            batchers = try partition.clients.enumerated().map { client, rows in
                try ClientBatcher(dataset: train, indices: rows, batchSize: batchSize, seed: key.seed, client: client)
            }
            batcherSeed = key.seed
        }
        batchers[key.client].seek(toBatch: Int(key.round) * localSteps + key.step)
        batchers[key.client].next(into: &batch)
        loadedKey = key
    }
}
