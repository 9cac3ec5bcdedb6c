import Foundation
import Testing
@testable import HiSoTransformer

/// Inputs found by `Utils/fuzz` (Fuzz/), kept as fixtures under `Fixtures/fuzz`: each once
/// crashed or exhausted memory in a reader and must now give a typed error.
@Suite("fuzzer findings in the transformer readers")
struct FuzzRegressionTests {
    static func path(_ name: String) -> String { TransformerFixtures.url("fuzz/" + name).path }

    @Test("a config.json size beyond Int (fuzz-bert-config crash) is a typed error naming the key")
    func hugePositions() {
        let file = Self.path("bert-config-huge-positions.json")
        #expect(throws: TransformerError.badConfig(
            file: file, key: "max_position_embeddings", reason: "missing, not an integer, or beyond 9e15")
        ) {
            try BertConfiguration(contentsOf: URL(fileURLWithPath: file))
        }
    }

    @Test("a config.json with 10^8 layers is refused before any layout is built")
    func manyLayers() {
        let file = Self.path("bert-config-many-layers.json")
        #expect(throws: TransformerError.badConfig(
            file: file, key: "num_hidden_layers", reason: "100000000: expected at most \(BertConfiguration.maxLayerCount)")
        ) {
            try BertConfiguration(contentsOf: URL(fileURLWithPath: file))
        }
    }

    @Test("a config.json describing more than 2^32 parameters is refused")
    func hugeVocabulary() throws {
        let file = Self.path("bert-config-huge-vocabulary.json")
        #expect {
            try BertConfiguration(contentsOf: URL(fileURLWithPath: file))
        } throws: { error in
            guard case .badConfig(let path, let key, let reason) = error as? TransformerError else { return false }
            return path == file && key == "configuration" && reason.hasSuffix("expected at most \(1 << 32)")
        }
        let tiny = try BertConfiguration(contentsOf: TransformerFixtures.url("tiny_bert/config.json"))
        #expect(tiny.parameterCount == Double(BertParameterLayout(tiny).count))
    }

    /// The inputs that exceeded fuzz-tokenizer's 10 s wall-clock limit (at a load average of 20 on
    /// 2 cores; about 100 ms of CPU each in the sanitizer build): long runs of letters, control
    /// characters and punctuation. They must give `[CLS] pieces [SEP]` whose pieces spell the
    /// normalized words back (WordPiece's invariant), or `[UNK]` for a word.
    @Test("the slow fuzz-tokenizer inputs tokenize to pieces that spell their words", arguments: ["tokenizer-slow-1.txt", "tokenizer-slow-2.txt"])
    func slowTokenizerInputs(_ name: String) throws {
        let tokenizer = TransformerFixtures.tokenizer
        let data = try Data(contentsOf: TransformerFixtures.url("fuzz/" + name))
        let text = String(decoding: data, as: UTF8.self)
        let ids = tokenizer.encode(text, maxLength: 512)
        #expect(ids.first == tokenizer.classID && ids.last == tokenizer.separatorID)
        var tokens = [String](repeating: "", count: tokenizer.vocabulary.count)
        for (token, id) in tokenizer.vocabulary { tokens[Int(id)] = token }
        var pieces = ids.dropFirst().dropLast().map { tokens[Int($0)] }[...]
        for word in WordPieceTokenizer.preTokenize(WordPieceTokenizer.normalize(text)) {
            let first = pieces.popFirst()
            var spelled = try #require(first, "ran out of pieces at '\(String(String.UnicodeScalarView(word)))'")
            if spelled == "[UNK]" { continue }
            while let next = pieces.first, next.hasPrefix("##") {
                spelled += next.dropFirst(2)
                pieces.removeFirst()
            }
            #expect(spelled == String(String.UnicodeScalarView(word)))
        }
        #expect(pieces.isEmpty)
    }
}
