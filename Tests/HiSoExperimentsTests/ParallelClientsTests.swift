import HiSoData
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoModels
import Testing

/// Counts the replicas a task makes and the losses it computes itself, to show which path ran.
final class CountingTask: FederatedTask {
    let inner: any FederatedTask
    private(set) var replicas = 0
    private(set) var ownLosses = 0

    init(_ inner: any FederatedTask) { self.inner = inner }

    var parameterCount: Int { inner.parameterCount }
    var clientCount: Int { inner.clientCount }
    var supportsGradient: Bool { inner.supportsGradient }

    func initialParameters(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>) {
        inner.initialParameters(seed: seed, into: x)
    }

    func loss(at x: UnsafeBufferPointer<Float>, batch: BatchKey) throws -> Float {
        ownLosses += 1
        return try inner.loss(at: x, batch: batch)
    }

    func lossAndGradient(at x: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, batch: BatchKey) throws -> Float {
        try inner.lossAndGradient(at: x, gradient: gradient, batch: batch)
    }

    func evaluate(at x: UnsafeBufferPointer<Float>) throws -> TaskEvaluation { try inner.evaluate(at: x) }

    func makeReplica(backend: any KernelBackend) throws -> (any FederatedTask)? {
        replicas += 1
        return try inner.makeReplica(backend: backend)
    }
}

@Suite("sampled clients in parallel")
struct ParallelClientsTests {
    /// The final parameters and the counting wrapper of a run on `threads` threads, its task
    /// made (as the catalogue makes it) on a backend with the same thread count.
    static func run(
        _ make: (Int) throws -> any FederatedTask, method: FederatedMethod, kind: BackendKind, threads: Int, sampled: Int
    ) throws -> ([Float], CountingTask) {
        let task = CountingTask(try make(threads))
        var c = RunConfiguration()
        c.method = method
        c.clients = task.clientCount
        c.sampledClients = sampled
        c.rounds = 5
        c.seed = 7
        c.learningRate = 0.02
        c.evaluateEvery = 100
        c.backend = kind
        c.threads = threads
        let run = try FederatedRun(configuration: c, task: task)
        try run.run()
        return (run.parameters, task)
    }

    @Test(
        "2 threads run the clients on task replicas and give the 1-thread bits (MLP on digits, both backends, DeComFL and HiSo)",
        arguments: [FederatedMethod.decomfl, .hiso])
    func classificationParallelEqualsSerial(method: FederatedMethod) throws {
        for kind in Kernels.compiledBackends {
            let make = { (threads: Int) throws -> any FederatedTask in
                let split = try DigitsDataset.builtIn(seed: 0)
                let partition = try Partition(
                    clients: (0..<5).map { k in Array(stride(from: k, to: split.train.count, by: 5)) },
                    sampleCount: split.train.count, name: "round-robin")
                return try ClassificationTask(
                    network: try Network.mlp(widths: [64, 16, 10]), train: split.train, test: split.test, partition: partition,
                    batchSize: 16, backend: try Kernels.backend(kind, threads: threads))
            }
            let (serial, one) = try Self.run(make, method: method, kind: kind, threads: 1, sampled: 3)
            let (parallel, two) = try Self.run(make, method: method, kind: kind, threads: 2, sampled: 3)
            #expect(one.replicas == 0 && one.ownLosses == 5 * 3 * 6, "\(kind): serial computes every loss itself")
            #expect(two.replicas == 2 && two.ownLosses == 0, "\(kind): two lanes compute every loss")
            #expect(parallel == serial, "\(kind) \(method)")
        }
    }

    @Test(
        "sst2-minilm last-1: 2 threads on replicas give the 1-thread bits (the default backend: the other is covered above)",
        .enabled(if: SST2Fixtures.loaded != nil, SST2Fixtures.missing))
    func sst2ParallelEqualsSerial() throws {
        let loaded = try #require(SST2Fixtures.loaded).get()
        for kind in Kernels.compiledBackends.prefix(1) {
            let make = { (threads: Int) throws -> any FederatedTask in
                let settings = SST2MiniLMTask.Settings(
                    subset: "last-1", clients: 4, batchSize: 4, maxLength: 16, trainLimit: 24, devLimit: 4, evaluationTrainSample: 4)
                return try SST2MiniLMTask(
                    model: loaded.model, train: loaded.train, dev: loaded.dev, settings: settings, seed: 3,
                    backend: try Kernels.backend(kind, threads: threads))
            }
            let (serial, _) = try Self.run(make, method: .decomfl, kind: kind, threads: 1, sampled: 2)
            let (parallel, two) = try Self.run(make, method: .decomfl, kind: kind, threads: 2, sampled: 2)
            #expect(two.replicas == 2 && two.ownLosses == 0, "\(kind)")
            #expect(parallel == serial, "\(kind)")
        }
    }
}
