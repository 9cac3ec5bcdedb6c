import Foundation
import HiSoKernels
import HiSoTestSupport
import Testing
@testable import HiSoTransformer

@Suite("BERT encoder")
struct BertEncoderTests {
    /// The tiny random BERT fixture and its numpy float64 reference pooled embeddings.
    static func tinyModel() throws -> (BertEncoder, [Float], [[Int32]], [[Float]]) {
        let directory = TransformerFixtures.url("tiny_bert")
        let configuration = try BertConfiguration(contentsOf: directory.appendingPathComponent("config.json"))
        let encoder = BertEncoder(configuration: configuration)
        let parameters = try encoder.layout.load(
            from: SafetensorsFile(contentsOf: directory.appendingPathComponent("model.safetensors")))
        let reference = TransformerFixtures.json("tiny_bert_reference.json")
        let ids = reference["ids"] as! [[Int]]
        let mask = reference["mask"] as! [[Int]]
        let sequences = zip(ids, mask).map { row, m in row.prefix(m.reduce(0, +)).map { Int32($0) } }
        let pooled = (reference["pooled"] as! [[Double]]).map { $0.map { Float($0) } }
        return (encoder, parameters, sequences, pooled)
    }

    @Test("tiny BERT matches the numpy reference forward pass on both backends (padding mask included)")
    func tinyMatchesReference() throws {
        let (encoder, parameters, sequences, expected) = try Self.tinyModel()
        let texts = try EncodedTexts(sequences: sequences, maxLength: 16)
        for backend in TransformerFixtures.backends {
            let workspace = BertWorkspace(configuration: encoder.configuration, maxBatch: 4, maxSequenceLength: 16)
            try parameters.withUnsafeBufferPointer { p in
                try encoder.forward(
                    BertParameterView(base: p.baseAddress!), texts: texts, indices: [0, 1, 2], workspace: workspace,
                    backend: backend)
            }
            for b in 0..<3 {
                let got = workspace.pooledEmbedding(b)
                #expect(maxRelativeDifference(got, expected[b], floor: 1e-3) < 1e-4, "\(backend.kind) sequence \(b)")
            }
        }
    }

    @Test("a sequence's embedding does not depend on its batch mates or its position in the batch")
    func batchIndependence() throws {
        let (encoder, parameters, sequences, _) = try Self.tinyModel()
        let texts = try EncodedTexts(sequences: sequences, maxLength: 16)
        let backend = TransformerFixtures.backends[0]
        let workspace = BertWorkspace(configuration: encoder.configuration, maxBatch: 4, maxSequenceLength: 16)
        let view = parameters.withUnsafeBufferPointer { BertParameterView(base: $0.baseAddress!) }
        try encoder.forward(view, texts: texts, indices: [1], workspace: workspace, backend: backend)
        let alone = workspace.pooledEmbedding(0)
        try encoder.forward(view, texts: texts, indices: [2, 0, 1], workspace: workspace, backend: backend)
        #expect(maxRelativeDifference(alone, workspace.pooledEmbedding(2)) < 1e-5)
        withExtendedLifetime(parameters) {}
    }

    @Test("batches that do not fit the workspace or the vocabulary are typed errors")
    func badBatches() throws {
        let (encoder, parameters, sequences, _) = try Self.tinyModel()
        let texts = try EncodedTexts(sequences: sequences + [[2, 99]], maxLength: 16)
        let workspace = BertWorkspace(configuration: encoder.configuration, maxBatch: 2, maxSequenceLength: 16)
        let backend = TransformerFixtures.backends[0]
        parameters.withUnsafeBufferPointer { p in
            let view = BertParameterView(base: p.baseAddress!)
            #expect(throws: TransformerError.invalidArgument(name: "batch size", value: "3", expected: "1...2")) {
                try encoder.forward(view, texts: texts, indices: [0, 1, 2], workspace: workspace, backend: backend)
            }
            #expect(throws: TransformerError.invalidArgument(name: "token id in text 3", value: "99", expected: "0..<50")) {
                try encoder.forward(view, texts: texts, indices: [3], workspace: workspace, backend: backend)
            }
        }
    }
}
