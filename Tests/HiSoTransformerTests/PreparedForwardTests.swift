import Foundation
import HiSoKernels
import HiSoTestSupport
import Testing
@testable import HiSoTransformer

@Suite("prepared batches, row kernels and threads (tiny BERT)")
struct PreparedForwardTests {
    static let model = BertClassifierTests.model
    static let texts = BertClassifierTests.texts

    /// The pooled embeddings of a fresh forward pass (``BertClassifier/encode``) at `x`.
    static func fresh(_ classifier: BertClassifier, _ x: [Float], indices: [Int], backend: any KernelBackend) throws -> [[Float]] {
        let workspace = BertWorkspace(
            configuration: model.encoder.configuration, maxBatch: 4, maxSequenceLength: 16, loraRank: classifier.loraRank)
        try x.withUnsafeBufferPointer { p in
            try classifier.encode(trainable: p, texts: texts, indices: indices, workspace: workspace, backend: backend)
        }
        return indices.indices.map { workspace.pooledEmbedding($0) }
    }

    @Test(
        "one prepared batch serves forward passes at several perturbed points, bit for bit a fresh pass each, for every subset and backend",
        arguments: [TrainableSubset.lastLayers(1), .nonEmbedding, .all, .lora(rank: 2, alpha: 4)])
    func preparedEqualsFresh(subset: TrainableSubset) throws {
        let classifier = try BertClassifier(model: Self.model, subset: subset)
        let indices = [3, 1, 2]
        for backend in TransformerFixtures.backends {
            let workspace = BertWorkspace(
                configuration: Self.model.encoder.configuration, maxBatch: 4, maxSequenceLength: 16, loraRank: classifier.loraRank)
            let cache = classifier.frozenLayers > 0
                ? HiddenStateCache(texts: Self.texts, layers: classifier.frozenLayers, width: 32) : nil
            var x = BertClassifierTests.initial(classifier)
            try x.withUnsafeBufferPointer { p in
                try classifier.prepare(trainable: p, texts: Self.texts, indices: indices, workspace: workspace, backend: backend, cache: cache)
            }
            for point in 0..<3 {
                for i in stride(from: point, to: x.count, by: 7) { x[i] += 0.01 * Float(point + 1) }
                try x.withUnsafeBufferPointer { p in
                    try classifier.encodePrepared(trainable: p, workspace: workspace, backend: backend)
                }
                let expected = try Self.fresh(classifier, x, indices: indices, backend: backend)
                for b in indices.indices {
                    #expect(workspace.pooledEmbedding(b) == expected[b], "\(subset) \(backend.kind) point \(point) row \(b)")
                }
            }
        }
    }

    @Test("a forward pass without a prepared batch is a typed error")
    func unprepared() throws {
        let classifier = try BertClassifier(model: Self.model, subset: .lastLayers(1))
        let workspace = BertWorkspace(configuration: Self.model.encoder.configuration, maxBatch: 4, maxSequenceLength: 16)
        let x = BertClassifierTests.initial(classifier)
        #expect(throws: TransformerError.invalidArgument(name: "workspace", value: "no prepared batch", expected: "a batch from prepare(...)")) {
            try x.withUnsafeBufferPointer { try classifier.encodePrepared(trainable: $0, workspace: workspace, backend: TransformerFixtures.backends[0]) }
        }
    }

    @Test("the forward pass gives the same bits on 1 and 2 threads, on every backend")
    func threadsDoNotChangeBits() throws {
        let classifier = try BertClassifier(model: Self.model, subset: .nonEmbedding)
        let x = BertClassifierTests.initial(classifier)
        for kind in Kernels.compiledBackends {
            let one = try Self.fresh(classifier, x, indices: [0, 1, 2, 3], backend: Kernels.backend(kind, threads: 1))
            let two = try Self.fresh(classifier, x, indices: [0, 1, 2, 3], backend: Kernels.backend(kind, threads: 2))
            #expect(one == two, "\(kind)")
        }
    }

    @Test("the rational erf is within 5e-7 of erf on [-6, 6], and odd")
    func erfApproximation() {
        var worst: Double = 0
        for step in -6000...6000 {
            let x = Float(step) / 1000
            let got = BertMath.erf(BertMath.Lanes(repeating: x))[0]
            worst = max(worst, abs(Double(got) - Foundation.erf(Double(x))))
            #expect(got == -BertMath.erf(BertMath.Lanes(repeating: -x))[0])
        }
        #expect(worst < 5e-7, "max error \(worst)")
    }

    @Test("the listed GEMMs have the forward's flops: 2 t (L - first) (4 h^2 + 2 h I + 4 r h)")
    func gemmList() {
        let encoder = Self.model.encoder
        let (h, inner) = (32, 64)
        let shapes = encoder.forwardGEMMs(tokens: 10, first: 1, loraRank: 2)
        #expect(shapes.count == 8)
        #expect(shapes.reduce(0) { $0 + $1.flops } == Double(2 * 10 * (4 * h * h + 2 * h * inner + 4 * 2 * h)))
    }
}
