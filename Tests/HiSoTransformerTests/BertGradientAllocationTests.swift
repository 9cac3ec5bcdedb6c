#if os(Linux)
import Foundation
import HiSoKernels
import HiSoTestSupport
import Testing
@testable import HiSoTransformer

/// One first-order step (recording forward, head, backward) on a preallocated workspace makes no
/// heap allocation after a first step beyond those of the plain forward's batch preparation
/// (``BertEncoder/prepare(_:texts:indices:workspace:backend:cache:)``, measured alongside), for
/// every subset and backend, on one thread.
@Suite("BERT gradient step allocates nothing")
struct BertGradientAllocationTests {
    /// The subsets measured, with whether their frozen prefix comes from a hidden-state cache.
    static let subsets: [(TrainableSubset, cached: Bool)] = [
        (.head, false), (.lastLayers(1), true), (.lastLayers(2), false), (.all, false), (.lora(rank: 2, alpha: 4), false),
    ]

    /// Allocator calls of the second gradient step and of one batch preparation, per backend and subset.
    static func measure() throws -> [(String, Int)] {
        let (sequences, labels) = BertGradientTests.tinyBatch
        let texts = try EncodedTexts(sequences: sequences, maxLength: 8)
        let indices = Array(0..<sequences.count)
        var report = [("control", MallocCounter.control())]
        for kind in Kernels.compiledBackends {
            let backend = try Kernels.backend(kind, threads: 1)
            for (subset, cached) in subsets {
                let c = try BertGradientTests.makeCase(model: BertGradientTests.tiny, subset: subset, sequences: sequences, labels: labels)
                let classifier = c.classifier
                let workspace = BertGradientWorkspace(classifier: classifier, maxBatch: indices.count, maxSequenceLength: 8)
                let cache = cached
                    ? HiddenStateCache(texts: texts, layers: classifier.frozenLayers, width: classifier.model.encoder.configuration.hiddenSize)
                    : nil
                var gradient = [Float](repeating: 0, count: classifier.trainableCount)
                let calls = try c.trainable.withUnsafeBufferPointer { x in
                    try gradient.withUnsafeMutableBufferPointer { buffer in
                        let g = buffer
                        let step = { () throws(TransformerError) in
                            _ = try classifier.lossAndGradient(
                                trainable: x, texts: texts, indices: indices, labels: c.labels, gradient: g,
                                workspace: workspace, backend: backend, cache: cache)
                        }
                        try step()
                        return try MallocCounter.count(step)
                    }
                }
                report.append(("\(kind.rawValue)/\(subset)", calls))
                let model = classifier.model
                let preparation = try c.trainable.withUnsafeBufferPointer { x in
                    try model.parameters.withUnsafeBufferPointer { base in
                        let view = classifier.view(trainable: x.baseAddress!, base: base.baseAddress!)
                        return try MallocCounter.count { () throws(TransformerError) in
                            try model.encoder.prepare(
                                view, texts: texts, indices: indices, workspace: workspace.forward, backend: backend, cache: cache)
                        }
                    }
                }
                report.append(("\(kind.rawValue)/\(subset)/prepare", preparation))
            }
        }
        return report
    }

    /// Runs in the child process only: installs the hooks, measures, writes the report.
    @Test(.enabled(if: MallocCounter.isProbeChild))
    func bertGradientProbeInChildProcess() throws {
        #expect(MallocCounter.install())
        try MallocCounter.writeReport(Self.measure())
    }

    @Test(
        "a gradient step of every subset makes no malloc call beyond the batch preparation's (child process with glibc's malloc hooks)",
        .enabled(if: MallocCounter.unavailableReason == nil && !MallocCounter.isProbeChild, "\(MallocCounter.unavailableReason ?? "")"))
    func noMallocPerGradientStep() throws {
        let report = try MallocCounter.runProbe(test: "bertGradientProbeInChildProcess")
        #expect(report.status == 0, "the probe child failed: \(report.text)")
        #expect((report.counts["control"] ?? 0) >= 1, "the hook must see a class allocation: \(report.text)")
        #expect(report.counts.count == 1 + 2 * Self.subsets.count * Kernels.compiledBackends.count, "\(report.text)")
        for kind in Kernels.compiledBackends {
            for (subset, _) in Self.subsets {
                let step = report.counts["\(kind.rawValue)/\(subset)"]
                let preparation = report.counts["\(kind.rawValue)/\(subset)/prepare"]
                #expect(step != nil && step == preparation, "\(kind.rawValue)/\(subset): \(report.text)")
            }
        }
        print("gradient step allocations: \(report.text)")
    }
}
#endif
