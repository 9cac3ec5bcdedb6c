import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoModels
import HiSoTransformer

extension RoundsSuite {
    /// The sst2 round entries: `sst2-last-1`, `sst2-last-2`, `sst2-lora-8`, `sst2-non-embedding`.
    static let sst2Tasks = ["sst2-last-1", "sst2-last-2", "sst2-lora-8", "sst2-non-embedding"]
    /// Training sentences of the sst2 round entries (the first this many of the training split).
    static let sst2TrainLimit = 2048

    /// The task specification and configuration of an sst2 entry: all-MiniLM-L6-v2 on SST-2 with
    /// the entry's trainable subset, 6 IID clients, 2 sampled, tau 1, P 5, mu 1e-3, forward
    /// differences, batch 32, the first ``sst2TrainLimit`` training sentences.
    static func sst2Setting(_ name: String, modelDirectory: String, dataDirectory: String) -> (TaskSpecification, RunConfiguration) {
        var defaults = TaskDefaults(.sst2Minilm)
        defaults.specification.subset = String(name.dropFirst("sst2-".count))
        defaults.specification.modelDirectory = modelDirectory
        defaults.specification.dataDirectory = dataDirectory
        defaults.specification.trainLimit = sst2TrainLimit
        return (defaults.specification, defaults.configuration)
    }

    /// Fills the frozen prefix's cache of every training sentence before rounds are timed (the
    /// steady state of a long run, in which every sentence's prefix is computed once).
    static func warm(_ task: any FederatedTask) throws {
        guard let sst2 = task as? SST2MiniLMTask else { return }
        var x = [Float](repeating: 0, count: sst2.parameterCount)
        x.withUnsafeMutableBufferPointer { sst2.initialParameters(seed: 0, into: $0) }
        try x.withUnsafeBufferPointer { try sst2.inner.warmPrefixCache(at: $0) }
    }

    /// The parts of one sst2 round, each in ms per round (`clients` sampled clients, `P + 1`
    /// forward passes per client step), measured on 4 of the task's own batches:
    /// - `tail_gemm_floor`: the GEMMs of the trainable layers' forward passes alone
    ///   (``BertEncoder/forwardGEMMs(tokens:first:loraRank:)``), the round's floor;
    /// - `tail_forwards`: those forward passes in full (from the prepared prefix to pooling);
    /// - `prefix`: preparing each client's batch (packing it and loading its cached prefix);
    /// - `head`: the head's loss on the pooled features.
    /// Vector work (perturbations, replay, updates) is measured by the caller as the round time
    /// of the same run with a constant loss.
    static func sst2Parts(
        _ task: any FederatedTask, config: RunConfiguration, backend: any KernelBackend, context: BenchmarkContext
    ) throws -> [(name: String, ms: Double, spread: Double)] {
        guard let sst2 = task as? SST2MiniLMTask else { return [] }
        let inner = sst2.inner
        let classifier = inner.classifier
        let encoder = classifier.model.encoder
        let batches = (0..<4).map { inner.batchIndices(client: $0 % inner.clientCount, round: UInt64($0), step: 0) }
        let workspace = BertWorkspace(
            configuration: encoder.configuration, maxBatch: inner.configuration.batchSize,
            maxSequenceLength: inner.configuration.maxLength, loraRank: classifier.loraRank)
        let cache = classifier.frozenLayers > 0
            ? HiddenStateCache(texts: inner.trainTexts, layers: classifier.frozenLayers, width: encoder.configuration.hiddenSize)
            : nil
        let first = classifier.frozenLayers
        let operands = batches.map {
            GEMMOperands(encoder.forwardGEMMs(
                tokens: $0.reduce(0) { $0 + inner.trainTexts.length(of: $1) }, first: first, loraRank: classifier.loraRank))
        }
        defer { for o in operands { o.deallocate() } }
        var x = [Float](repeating: 0, count: sst2.parameterCount)
        x.withUnsafeMutableBufferPointer { sst2.initialParameters(seed: 0, into: $0) }
        let forwards = config.perturbations + 1
        let perRound = Double(config.sampledClients) / Double(batches.count)
        return try x.withUnsafeBufferPointer { p in
            for batch in batches {
                try classifier.prepare(trainable: p, texts: inner.trainTexts, indices: batch, workspace: workspace, backend: backend, cache: cache)
            }
            let labels = batches[0].map { inner.trainLabels[$0] }
            let times = context.measureInterleaved([
                { for _ in 0..<forwards { for o in operands { o.run(on: backend) } } },
                {
                    for batch in batches {
                        try? classifier.prepare(
                            trainable: p, texts: inner.trainTexts, indices: batch, workspace: workspace, backend: backend, cache: cache)
                        for _ in 0..<forwards { try? classifier.encodePrepared(trainable: p, workspace: workspace, backend: backend) }
                    }
                },
                {
                    for batch in batches {
                        try? classifier.prepare(
                            trainable: p, texts: inner.trainTexts, indices: batch, workspace: workspace, backend: backend, cache: cache)
                    }
                },
                { for _ in 0..<(forwards * batches.count) { _ = classifier.headLoss(trainable: p, features: workspace.pooled, labels: labels) } },
            ])
            let ms = times.map { 1000 * $0.median * perRound }
            let spread = times.map(\.spread)
            return [
                ("tail_gemm_floor", ms[0], spread[0]), ("tail_forwards", ms[1] - ms[2], spread[1]), ("prefix", ms[2], spread[2]),
                ("head", ms[3], spread[3]),
            ]
        }
    }
}

/// A task whose loss is a constant: a run on it costs exactly the round's vector work and
/// bookkeeping (directions, replay, updates), without forward passes.
final class ConstantLossTask: FederatedTask {
    let inner: any FederatedTask

    init(_ inner: any FederatedTask) { self.inner = inner }

    var parameterCount: Int { inner.parameterCount }
    var clientCount: Int { inner.clientCount }
    var supportsGradient: Bool { false }

    func initialParameters(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>) {
        inner.initialParameters(seed: seed, into: x)
    }

    func loss(at x: UnsafeBufferPointer<Float>, batch: BatchKey) throws -> Float { 1 }

    func lossAndGradient(at x: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, batch: BatchKey) throws -> Float {
        throw FederationError.taskMismatch(what: "gradient support of the constant-loss task", expected: "true", found: "false")
    }

    func evaluate(at x: UnsafeBufferPointer<Float>) throws -> TaskEvaluation {
        TaskEvaluation(testAccuracy: nil, testLoss: 0, trainLoss: 0)
    }
}
