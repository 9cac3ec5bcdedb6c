import Foundation
import HiSoData
import HiSoFederation
import HiSoKernels
import HiSoModels
import HiSoTransformer

/// Builds a `FederatedTask` from a ``TaskSpecification``: loads (and caches) the data, splits
/// it over the clients and makes the model.
///
/// One catalog can build many tasks (methods, seeds, client counts) from one data load. Not
/// thread-safe; use one catalog per thread.
///
/// Memory: the loaded data sets (Fashion-MNIST: about 220 MB of floats; sst2-minilm: the 91 MB
/// model plus the tokenized sentences).
public final class TaskCatalog {
    /// Rows of the training set used for the training loss when evaluating Fashion-MNIST tasks
    /// (test accuracy and loss always use the whole test set).
    public static let fashionEvaluationSample = 2_000

    private var digitsCache: [UInt64: TrainTestSplit] = [:]
    private var referenceCache: [String: TrainTestSplit] = [:]
    private var fashionCache: [String: TrainTestSplit] = [:]
    /// sst2-minilm: loaded models by directory (see `TaskCatalog+SST2.swift`).
    var sst2Models: [String: PretrainedBert] = [:]
    /// sst2-minilm: loaded SST-2 splits by directory.
    var sst2Data: [String: (train: SST2Dataset, dev: SST2Dataset)] = [:]
    /// sst2-minilm: the last task built and its key, reused (with its warm encoder cache) by the
    /// next request for the same specification, client count and backend.
    var sst2Task: (key: String, task: SST2MiniLMTask)?

    /// Makes an empty catalog.
    public init() {}

    /// Builds the task.
    ///
    /// - Parameters:
    ///   - spec: what to build.
    ///   - clients: `M`, the number of clients to split the training data over (the reference
    ///     digits partitions have 8 clients; 1 client = all training rows, for centralised MeZO).
    ///   - localSteps: `tau` (numbers the batches).
    ///   - backend: the kernels for the forward passes.
    /// - Throws: ``CatalogError`` for missing data or unusable settings.
    /// - Complexity: the first call per data set loads it (Fashion-MNIST: about a second).
    public func makeTask(
        _ spec: TaskSpecification, clients: Int, localSteps: Int, backend: any KernelBackend
    ) throws(CatalogError) -> any FederatedTask {
        guard spec.batchSize >= 1 else {
            throw .invalidSetting(task: spec.name, setting: "batch size", value: "\(spec.batchSize)", expected: "at least 1")
        }
        guard clients >= 1 else {
            throw .invalidSetting(task: spec.name, setting: "clients", value: "\(clients)", expected: "at least 1")
        }
        switch spec.name {
        case .digits:
            let (data, validation) = try heldOut(spec, try digits(spec))
            return try classification(spec, data, network: network(spec) { try Network.mlp(widths: [64, 32, 10]) },
                                      partition: partition(spec, data.train, clients: clients), localSteps: localSteps, backend: backend,
                                      validation: validation)
        case .digitsReference:
            let data = try reference(spec)
            let part: Partition
            if clients == 8 {
                part = try referencePartition(spec, sampleCount: data.train.count)
            } else if clients == 1 {
                part = try partition(spec, data.train, clients: 1)
            } else {
                throw .invalidSetting(task: spec.name, setting: "clients", value: "\(clients)", expected: "8 (the reference partitions) or 1 (mezo)")
            }
            return try classification(spec, data, network: network(spec) { try Network.mlp(widths: [64, 32, 10]) },
                                      partition: part, localSteps: localSteps, backend: backend)
        case .fmnistMLP, .fmnistCNN, .fmnistCNNLarge:
            let (data, validation) = try heldOut(spec, try fashion(spec))
            let net = try network(spec) {
                switch spec.name {
                case .fmnistMLP: return try Network.mlp(widths: [784, 256, 10])
                case .fmnistCNNLarge: return try Network.cnnFMNIST()
                default: return try Network.cnnMNIST()
                }
            }
            let training = try classification(
                spec, data, network: net, partition: partition(spec, data.train, clients: clients), localSteps: localSteps, backend: backend)
            let sample = try evaluationSample(spec, data.train)
            let evaluation = try classification(
                spec, TrainTestSplit(train: sample, test: data.test), network: net,
                partition: partition(spec, sample, clients: 1, kind: .iid), localSteps: 1, backend: backend,
                validation: validation)
            return EvaluationSampledTask(training: training, evaluation: evaluation)
        case .quadratic:
            return try quadratic(spec, clients: clients, backend: backend)
        case .sst2Minilm:
            return try sst2MiniLM(spec, clients: clients, backend: backend)
        }
    }

    /// A one-line description of the task's data and model, for logs and reports.
    public static func summary(_ spec: TaskSpecification, clients: Int) -> String {
        switch spec.name {
        case .digits:
            return "built-in digits (1437 train / 360 test), MLP 64-32-10, \(clients) clients, \(spec.partition.rawValue) partition, batch \(spec.batchSize)"
        case .digitsReference:
            return "peer reference digits from \(spec.dataDirectory ?? "?"), \(spec.referenceSplit) partition, MLP 64-32-10, batch \(spec.batchSize)"
        case .fmnistMLP, .fmnistCNN, .fmnistCNNLarge:
            let model = spec.name == .fmnistMLP ? "MLP 784-256-10" : spec.name == .fmnistCNN ? "CNN_MNIST" : "CNN_FMNIST"
            let split = spec.partition == .iid ? "iid" : "\(spec.partition.rawValue) alpha \(spec.alpha)"
            return "Fashion-MNIST, \(model), \(clients) clients, \(split), batch \(spec.batchSize)"
        case .quadratic:
            return "quadratic d=\(spec.dimension), \(spec.spectrum.rawValue) spectrum, \(spec.rotated ? "rotated" : "diagonal"), noise \(spec.noise), \(clients) clients"
        case .sst2Minilm:
            let split = spec.partition == .iid ? "iid" : "\(spec.partition.rawValue) alpha \(spec.alpha)"
            let limit = spec.trainLimit.map { "first \($0)" } ?? "all"
            return "SST-2 from \(spec.dataDirectory ?? "?") (\(limit) train sentences), all-MiniLM-L6-v2 from \(spec.modelDirectory ?? "?"), "
                + "trains \(spec.subset ?? "head"), \(clients) clients, \(split), batch \(spec.batchSize)"
                + (spec.validationCount.map { $0 > 0 ? ", \($0) training sentences held out for validation" : "" } ?? "")
                + (spec.initialHead == nil ? "" : ", starting from the trained linear probe's head")
        }
    }

    // MARK: - Data

    private func digits(_ spec: TaskSpecification) throws(CatalogError) -> TrainTestSplit {
        if let cached = digitsCache[spec.dataSeed] { return cached }
        do {
            let data = try DigitsDataset.builtIn(seed: spec.dataSeed)
            digitsCache[spec.dataSeed] = data
            return data
        } catch {
            throw .dataUnavailable(task: spec.name, location: "built-in resource", reason: error.description)
        }
    }

    private func reference(_ spec: TaskSpecification) throws(CatalogError) -> TrainTestSplit {
        guard let dir = spec.dataDirectory else {
            throw .missingDataDirectory(task: spec.name, contents: "digits_train.csv, digits_test.csv and the digits_partition_*.csv files")
        }
        if let cached = referenceCache[dir] { return cached }
        do {
            let data = try DigitsDataset.reference(directory: URL(fileURLWithPath: dir, isDirectory: true))
            referenceCache[dir] = data
            return data
        } catch {
            throw .dataUnavailable(task: spec.name, location: dir, reason: error.description)
        }
    }

    private func referencePartition(_ spec: TaskSpecification, sampleCount: Int) throws(CatalogError) -> Partition {
        guard let kind = DigitsDataset.ReferencePartition(rawValue: spec.referenceSplit) else {
            throw .invalidSetting(task: spec.name, setting: "split", value: "'\(spec.referenceSplit)'", expected: "iid or dir0.5")
        }
        let dir = spec.dataDirectory ?? "."
        do {
            return try DigitsDataset.referencePartition(kind, directory: URL(fileURLWithPath: dir, isDirectory: true), sampleCount: sampleCount)
        } catch {
            throw .dataUnavailable(task: spec.name, location: dir, reason: error.description)
        }
    }

    private func fashion(_ spec: TaskSpecification) throws(CatalogError) -> TrainTestSplit {
        let dir = spec.dataDirectory ?? FashionMNIST.defaultDirectory.path
        if let cached = fashionCache[dir] { return cached }
        do {
            let data = try FashionMNIST.load(directory: URL(fileURLWithPath: dir, isDirectory: true))
            fashionCache[dir] = data
            return data
        } catch {
            throw .dataUnavailable(task: spec.name, location: dir, reason: error.description)
        }
    }

    /// Splits off the validation rows (``TaskSpecification/validationCount``, `nil` or 0: none)
    /// before anything else sees the training data: with `n` training rows and `v` asked, part 0
    /// of a seeded iid split of the rows into `floor(n / v)` parts (about `v` rows) is the
    /// validation set, the other parts, in row order, the training set the clients share.
    private func heldOut(_ spec: TaskSpecification, _ data: TrainTestSplit) throws(CatalogError) -> (TrainTestSplit, Dataset?) {
        guard let v = spec.validationCount, v > 0 else { return (data, nil) }
        let n = data.train.count
        guard v < n else {
            throw .invalidSetting(task: spec.name, setting: "validationCount", value: "\(v)", expected: "fewer than the \(n) training rows")
        }
        do {
            let parts = try Partition.iid(sampleCount: n, clients: n / v, seed: spec.dataSeed ^ 0x7661_6C69_6461_7465).clients
            let name = data.train.name ?? "train"
            let validation = try data.train.subset(parts[0], name: "\(name)/validation")
            let rest = try data.train.subset(parts.dropFirst().flatMap { $0 }.sorted(), name: "\(name)/without-validation")
            return (TrainTestSplit(train: rest, test: data.test), validation)
        } catch {
            throw .buildFailed(task: spec.name, reason: error.description)
        }
    }

    /// A fixed seeded sample of ``fashionEvaluationSample`` training rows (the first part of an
    /// iid split seeded by the data seed).
    private func evaluationSample(_ spec: TaskSpecification, _ train: Dataset) throws(CatalogError) -> Dataset {
        let parts = max(1, train.count / Self.fashionEvaluationSample)
        do {
            let rows = try Partition.iid(sampleCount: train.count, clients: parts, seed: spec.dataSeed).clients[0]
            return try train.subset(rows, name: "\(train.name ?? "train")/evaluation-sample")
        } catch {
            throw .buildFailed(task: spec.name, reason: error.description)
        }
    }

    private func partition(
        _ spec: TaskSpecification, _ train: Dataset, clients: Int, kind: TaskSpecification.PartitionKind? = nil
    ) throws(CatalogError) -> Partition {
        let kind = clients == 1 ? .iid : (kind ?? spec.partition)
        if kind != .iid, !(spec.alpha.isFinite && spec.alpha > 0) {
            throw .invalidSetting(task: spec.name, setting: "alpha", value: "\(spec.alpha)", expected: "a finite number > 0")
        }
        do {
            switch kind {
            case .iid:
                return try Partition.iid(sampleCount: train.count, clients: clients, seed: spec.dataSeed)
            case .dirichlet:
                return try Partition.dirichlet(
                    labels: train.labels, classCount: train.classCount, clients: clients, alpha: spec.alpha, seed: spec.dataSeed)
            case .peerDirichlet:
                return try Partition.peerDirichlet(
                    labels: train.labels, classCount: train.classCount, clients: clients, alpha: spec.alpha, seed: spec.dataSeed)
            }
        } catch {
            throw .invalidSetting(task: spec.name, setting: "partition", value: "\(kind.rawValue) over \(clients) clients", expected: "a valid split (\(error.description))")
        }
    }

    // MARK: - Models and tasks

    private func network(_ spec: TaskSpecification, _ make: () throws -> Network) throws(CatalogError) -> Network {
        do {
            return try make()
        } catch {
            throw .buildFailed(task: spec.name, reason: "\(error)")
        }
    }

    private func classification(
        _ spec: TaskSpecification, _ data: TrainTestSplit, network: Network, partition: Partition, localSteps: Int,
        backend: any KernelBackend, validation: Dataset? = nil
    ) throws(CatalogError) -> ClassificationTask {
        do {
            return try ClassificationTask(
                network: network, train: data.train, test: data.test, partition: partition, batchSize: spec.batchSize,
                localSteps: localSteps, backend: backend, validation: validation)
        } catch {
            throw .buildFailed(task: spec.name, reason: error.description)
        }
    }
}
