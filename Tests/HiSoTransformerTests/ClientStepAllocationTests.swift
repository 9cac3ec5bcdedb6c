#if os(Linux)
import Foundation
import HiSoKernels
import HiSoTestSupport
import Testing
@testable import HiSoTransformer

/// A zeroth-order client step on the encoder allocates nothing once its batch's prefix is cached:
/// preparing the batch (packing it, loading the cached prefix), then for each of `P + 1` points a
/// perturbed copy of the trainable vector, the forward pass from the prepared prefix and the
/// head's loss — for `last-1`, `non-embedding` and LoRA, on one thread per backend.
@Suite("an encoder client step allocates nothing")
struct ClientStepAllocationTests {
    /// Allocator calls of one client step (P = 5, forward differences) per subset and backend,
    /// after a warm-up step that fills the prefix cache.
    static func measure() throws -> [(String, Int)] {
        let model = BertClassifierTests.model
        let texts = BertClassifierTests.texts
        let indices = [2, 0, 3]
        let labels: [Int32] = [1, 1, 0]
        var report = [("control", MallocCounter.control())]
        let subsets: [(String, TrainableSubset)] = [
            ("last-1", .lastLayers(1)), ("non-embedding", .nonEmbedding), ("lora", .lora(rank: 2, alpha: 4)),
        ]
        for kind in Kernels.compiledBackends {
            let backend = try Kernels.backend(kind, threads: 1)
            for (name, subset) in subsets {
                let classifier = try BertClassifier(model: model, subset: subset)
                let workspace = BertWorkspace(
                    configuration: model.encoder.configuration, maxBatch: 4, maxSequenceLength: 16, loraRank: classifier.loraRank)
                let cache = classifier.frozenLayers > 0
                    ? HiddenStateCache(texts: texts, layers: classifier.frozenLayers, width: 32) : nil
                let x = BertClassifierTests.initial(classifier)
                let point = UnsafeMutableBufferPointer<Float>.allocate(capacity: x.count)
                defer { point.deallocate() }
                var total: Float = 0
                try x.withUnsafeBufferPointer { xp in
                    let step = { () throws(TransformerError) in
                        try classifier.prepare(
                            trainable: xp, texts: texts, indices: indices, workspace: workspace, backend: backend, cache: cache)
                        try classifier.encodePrepared(trainable: xp, workspace: workspace, backend: backend)
                        total += classifier.headLoss(trainable: xp, features: workspace.pooled, labels: labels).loss
                        for p in 0..<5 {
                            backend.perturbed(xp, into: point, alpha: 1e-3, scale: nil, seed: 9, stream: UInt64(p), offset: 0)
                            let q = UnsafeBufferPointer(point)
                            try classifier.encodePrepared(trainable: q, workspace: workspace, backend: backend)
                            total += classifier.headLoss(trainable: q, features: workspace.pooled, labels: labels).loss
                        }
                    }
                    try step()
                    report.append(("\(kind.rawValue)/\(name)", try MallocCounter.count(step)))
                }
                #expect(total.isFinite)
            }
        }
        return report
    }

    /// Runs in the child process only: installs the hooks, measures, writes the report.
    @Test(.enabled(if: MallocCounter.isProbeChild))
    func clientStepAllocationProbeInChildProcess() throws {
        #expect(MallocCounter.install())
        try MallocCounter.writeReport(Self.measure())
    }

    @Test(
        "a client step (prepare, P + 1 perturbed forwards and head losses) makes no malloc call (child process with glibc's malloc hooks)",
        .enabled(if: MallocCounter.unavailableReason == nil && !MallocCounter.isProbeChild, "\(MallocCounter.unavailableReason ?? "")"))
    func noMallocPerClientStep() throws {
        let report = try MallocCounter.runProbe(test: "clientStepAllocationProbeInChildProcess")
        #expect(report.status == 0, "the probe child failed: \(report.text)")
        #expect((report.counts["control"] ?? 0) >= 1, "the hook must see a class allocation: \(report.text)")
        #expect(report.counts.count == 1 + 3 * Kernels.compiledBackends.count, "\(report.text)")
        let limit = try AllocationThresholds.load().perCall("transformer-client-step")
        for (name, calls) in report.counts where name != "control" {
            #expect(calls <= limit, "\(name): \(report.text)")
        }
    }
}
#endif
