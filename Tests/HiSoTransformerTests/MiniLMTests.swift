import Foundation
import HiSoKernels
import HiSoTestSupport
import Testing
@testable import HiSoTransformer

@Suite("all-MiniLM-L6-v2 (needs the real model)", .enabled(if: TransformerFixtures.minilmDirectory != nil, TransformerFixtures.minilmMissing))
struct MiniLMTests {
    static let sentences = ["A man is eating food.", "A man is eating a piece of bread."]

    @Test("the layout covers the 22.6 M encoder parameters (22.7 M with the unused pooler)")
    func parameterCount() throws {
        let model = try #require(TransformerFixtures.minilm).get()
        #expect(model.parameters.count == 22_565_376)
        #expect(model.encoder.layout.embeddingsEnd == 11_918_592)
    }

    @Test("cosine similarity of the DATA.md sentences is 0.755 +- 0.005, and pooled embeddings match numpy")
    func cosineSimilarity() throws {
        let model = try #require(TransformerFixtures.minilm).get()
        let reference = TransformerFixtures.json("minilm_reference.json")
        let expected = (reference["pooled"] as! [[Double]]).map { $0.map { Float($0) } }
        let texts = try EncodedTexts(Self.sentences, tokenizer: model.tokenizer, maxLength: 128)
        var pooled: [[[Float]]] = []
        for backend in TransformerFixtures.backends {
            let workspace = BertWorkspace(configuration: model.encoder.configuration, maxBatch: 2, maxSequenceLength: 128)
            try model.parameters.withUnsafeBufferPointer { p in
                try model.encoder.forward(
                    BertParameterView(base: p.baseAddress!), texts: texts, indices: [0, 1], workspace: workspace,
                    backend: backend)
            }
            let e = [workspace.pooledEmbedding(0), workspace.pooledEmbedding(1)]
            for b in 0..<2 {
                #expect(maxRelativeDifference(e[b], expected[b], floor: 1e-2) < 1e-3, "\(backend.kind) vs numpy, sentence \(b)")
            }
            let dot = zip(e[0], e[1]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let norms = e.map { $0.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot() }
            let cosine = dot / (norms[0] * norms[1])
            #expect(abs(cosine - 0.755) <= 0.005, "\(backend.kind): cosine \(cosine)")
            #expect(abs(Double(cosine) - (reference["cosine"] as! Double)) < 1e-4)
            pooled.append(e)
        }
        for other in pooled.dropFirst() {
            for b in 0..<2 {
                #expect(maxRelativeDifference(pooled[0][b], other[b], floor: 1e-2) < 1e-4, "backends disagree on sentence \(b)")
            }
        }
    }

    @Test("SentenceEmbedder.cosineSimilarity gives 0.755 from the model directory")
    func embedder() throws {
        let directory = try #require(TransformerFixtures.minilmDirectory)
        let embedder = try SentenceEmbedder(modelDirectory: directory)
        let cosine = try embedder.cosineSimilarity(Self.sentences[0], Self.sentences[1])
        #expect(abs(cosine - 0.755) <= 0.005)
    }
}
