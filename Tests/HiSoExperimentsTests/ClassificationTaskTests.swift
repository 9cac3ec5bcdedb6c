import HiSoData
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoModels
import Testing

@Suite("Classification task on the built-in digits")
struct ClassificationTaskTests {
    static func task(localSteps: Int = 1) throws -> ClassificationTask {
        let split = try DigitsDataset.builtIn(seed: 0)
        let partition = try Partition(
            clients: (0..<4).map { k in Array(stride(from: k, to: split.train.count, by: 4)) },
            sampleCount: split.train.count, name: "round-robin")
        return try ClassificationTask(
            network: try Network.mlp(widths: [64, 16, 10]), train: split.train, test: split.test, partition: partition,
            batchSize: 32, localSteps: localSteps, backend: try Kernels.backend())
    }

    @Test("batches are a pure function of (seed, client, round, step)")
    func batchesArePure() throws {
        let task = try Self.task()
        let x = [Float](repeating: 0.01, count: task.parameterCount)
        let key = BatchKey(seed: 1, client: 2, round: 9, step: 0)
        let a = try x.withUnsafeBufferPointer { try task.loss(at: $0, batch: key) }
        _ = try x.withUnsafeBufferPointer { try task.loss(at: $0, batch: BatchKey(seed: 1, client: 3, round: 1, step: 0)) }
        let b = try x.withUnsafeBufferPointer { try task.loss(at: $0, batch: key) }
        #expect(a == b)
        #expect(throws: FederationError.self) {
            try x.withUnsafeBufferPointer { try task.loss(at: $0, batch: BatchKey(seed: 1, client: 4, round: 0, step: 0)) }
        }
        #expect(throws: FederationError.self) {
            try x.withUnsafeBufferPointer { try task.loss(at: $0, batch: BatchKey(seed: 1, client: 0, round: 0, step: 1)) }
        }
    }

    @Test("FedAvg and DeComFL reduce the training loss", arguments: [FederatedMethod.fedavg, .decomfl, .fedadam])
    func trains(method: FederatedMethod) throws {
        var c = RunConfiguration()
        c.method = method
        c.clients = 4
        c.sampledClients = 2
        c.rounds = 30
        c.seed = 11
        c.learningRate = method == .decomfl ? 0.05 : 0.1
        c.evaluateEvery = 30
        let curve = try FederatedRun(configuration: c, task: try Self.task()).run()
        #expect(curve.count == 2)
        #expect(curve[1].trainLoss < curve[0].trainLoss)
        #expect(curve[1].testAccuracy! > curve[0].testAccuracy!)
    }

    @Test("a network that does not fit the data is rejected with a typed error")
    func mismatch() throws {
        let split = try DigitsDataset.builtIn(seed: 0)
        let partition = try Partition(clients: [Array(0..<split.train.count)], sampleCount: split.train.count, name: "one")
        #expect(throws: FederationError.self) {
            try ClassificationTask(
                network: try Network.mlp(widths: [32, 10]), train: split.train, test: split.test, partition: partition,
                batchSize: 8, backend: try Kernels.backend())
        }
    }
}
