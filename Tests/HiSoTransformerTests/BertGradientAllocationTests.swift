#if os(Linux)
import Foundation
@testable import HiSoKernels
import HiSoTestSupport
import Testing
@testable import HiSoTransformer

/// One first-order step (recording forward, head, backward) on a preallocated workspace makes no
/// heap allocation after a first step, for every subset and backend, on one thread.
@Suite("BERT gradient step allocates nothing")
struct BertGradientAllocationTests {
    final class Probe {
        var value = 1
    }

    /// The subsets measured, with whether their frozen prefix comes from a hidden-state cache.
    static let subsets: [(TrainableSubset, cached: Bool)] = [
        (.head, false), (.lastLayers(1), true), (.lastLayers(2), false), (.all, false), (.lora(rank: 2, alpha: 4), false),
    ]

    /// Returns "control=<n> <backend>/<subset>=<n> ..." (allocator calls of the second step).
    static func measure() throws -> String {
        let (sequences, labels) = BertGradientTests.tinyBatch
        let texts = try EncodedTexts(sequences: sequences, maxLength: 8)
        let indices = Array(0..<sequences.count)
        var report = "control=\(MallocCounter.count { _ = Probe() })"
        for kind in Kernels.compiledBackends {
            let backend = try Kernels.backend(kind, threads: 1)
            do {
                let a = UnsafeMutablePointer<Float>.allocate(capacity: 4096)
                a.initialize(repeating: 0.5, count: 4096)
                let gemm = { backend.gemm(transA: false, transB: true, m: 7, n: 7, k: 8, alpha: 1, a: a, lda: 32, b: a + 8, ldb: 32, beta: 0, c: a + 2000, ldc: 7) }
                gemm()
                let chk = { LinearAlgebraChecks.gemm(transA: false, transB: true, m: 7, n: 7, k: 8, lda: 32, ldb: 32, ldc: 7) }
                chk()
                report += " DEBUGcheck\(kind)=\(MallocCounter.count(chk))"
                let sw = SwiftBackend(threads: 1)
                let g2 = { sw.gemm(transA: false, transB: true, m: 7, n: 7, k: 8, alpha: 1, a: a, lda: 32, b: a + 8, ldb: 32, beta: 0, c: a + 2000, ldc: 7) }
                g2()
                report += " DEBUGconcrete\(kind)=\(MallocCounter.count(g2))"
                report += " DEBUGgemm\(kind)=\(MallocCounter.count(gemm))"
                let c = try BertGradientTests.makeCase(model: BertGradientTests.tiny, subset: .head, sequences: sequences, labels: labels)
                let ws = BertWorkspace(configuration: c.classifier.model.encoder.configuration, maxBatch: 3, maxSequenceLength: 8)
                let enc = { c.trainable.withUnsafeBufferPointer { x in _ = try? c.classifier.encode(trainable: x, texts: texts, indices: indices, workspace: ws, backend: backend) } }
                enc()
                report += " DEBUGencode\(kind)=\(MallocCounter.count(enc))"
                let v = c.trainable.withUnsafeBufferPointer { x in c.classifier.model.parameters.withUnsafeBufferPointer { c.classifier.view(trainable: x.baseAddress!, base: $0.baseAddress!) } }
                let layer = { c.classifier.model.encoder.encoderLayer(0, v, batch: 3, tokens: 15, workspace: ws, backend: backend) }
                layer()
                report += " DEBUGlayer\(kind)=\(MallocCounter.count(layer))"
                let pr = { _ = try? c.classifier.model.encoder.prepareRows(texts: texts, indices: indices, workspace: ws) }
                pr()
                report += " DEBUGprep\(kind)=\(MallocCounter.count(pr))"
            }
            for (subset, cached) in subsets {
                let c = try BertGradientTests.makeCase(model: BertGradientTests.tiny, subset: subset, sequences: sequences, labels: labels)
                let classifier = c.classifier
                let workspace = BertGradientWorkspace(classifier: classifier, maxBatch: indices.count, maxSequenceLength: 8)
                let cache = cached
                    ? HiddenStateCache(texts: texts, layers: classifier.frozenLayers, width: classifier.model.encoder.configuration.hiddenSize)
                    : nil
                var gradient = [Float](repeating: 0, count: classifier.trainableCount)
                var failed = false
                let calls = c.trainable.withUnsafeBufferPointer { x in
                    gradient.withUnsafeMutableBufferPointer { buffer in
                        let g = buffer
                        let step = {
                            do {
                                _ = try classifier.lossAndGradient(
                                    trainable: x, texts: texts, indices: indices, labels: c.labels, gradient: g,
                                    workspace: workspace, backend: backend, cache: cache)
                            } catch {
                                failed = true
                            }
                        }
                        step()
                        return MallocCounter.count(step)
                    }
                }
                report += " \(kind)/\(subset)=\(failed ? -1 : calls)"
            }
        }
        return report
    }

    /// Runs in the child process only: installs the hooks, measures, writes the report.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[MallocCounter.probeVariable] != nil))
    func bertGradientProbeInChildProcess() throws {
        let output = try #require(ProcessInfo.processInfo.environment[MallocCounter.probeVariable])
        #expect(MallocCounter.install())
        try Self.measure().write(toFile: output, atomically: true, encoding: .utf8)
    }

    @Test(
        "a gradient step of every subset makes no malloc call (child process with glibc's malloc hooks)",
        .enabled(if: FileManager.default.fileExists(atPath: MallocCounter.debugLibrary)
            && ProcessInfo.processInfo.environment[MallocCounter.probeVariable] == nil))
    func noMallocPerGradientStep() throws {
        let (status, report, counts) = try MallocCounter.runProbe(filter: "bertGradientProbeInChildProcess")
        #expect(status == 0)
        #expect((counts["control"] ?? 0) >= 1, "the hook must see a class allocation: \(report)")
        for kind in Kernels.compiledBackends {
            for (subset, _) in Self.subsets {
                #expect(counts["\(kind)/\(subset)"] == 0, "\(report)")
            }
        }
        print("gradient step allocations: \(report)")
    }
}
#endif
