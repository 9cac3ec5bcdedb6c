import Foundation
import Testing
@testable import HiSoTransformer

@Suite("WordPiece tokenizer")
struct WordPieceTokenizerTests {
    @Test("the DATA.md fixture: 'A man is eating food.'")
    func fixture() {
        let ids = TransformerFixtures.tokenizer.encode("A man is eating food.", maxLength: 128)
        #expect(ids == [101, 1037, 2158, 2003, 5983, 2833, 1012, 102])
    }

    @Test("agrees with tokenizer.json (HF tokenizers) on 180 SST-2 dev sentences and 13 edge cases")
    func referenceIDs() {
        let reference = TransformerFixtures.json("tokenizer_reference.json")
        let cases = reference["cases"] as! [[String: Any]]
        #expect(cases.count == 193)
        var mismatches: [String] = []
        for item in cases {
            let text = item["text"] as! String
            let expected = (item["ids"] as! [Int]).map { Int32($0) }
            let got = TransformerFixtures.tokenizer.encode(text, maxLength: 1024)
            if got != expected { mismatches.append("\(text.debugDescription): \(got) vs \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(3))")
    }

    @Test("truncation keeps [CLS] and [SEP]; padding fills [PAD] with a zero mask")
    func truncationAndPadding() throws {
        let tokenizer = TransformerFixtures.tokenizer
        #expect(tokenizer.encode("A man is eating food.", maxLength: 4) == [101, 1037, 2158, 102])
        let texts = try EncodedTexts(["A man is eating food.", "hi"], tokenizer: tokenizer, maxLength: 6)
        #expect(texts.count == 2)
        #expect(texts.length(of: 0) == 6)
        #expect(Array(texts.ids(of: 1)) == [101, 7632, 102])
        let padded = texts.padded(1, to: 5, padding: tokenizer.paddingID)
        #expect(padded.ids == [101, 7632, 102, 0, 0])
        #expect(padded.mask == [1, 1, 1, 0, 0])
        #expect(throws: TransformerError.invalidArgument(name: "maxLength", value: "1", expected: "at least 2 ([CLS] and [SEP])")) {
            try EncodedTexts(["x"], tokenizer: tokenizer, maxLength: 1)
        }
    }

    @Test("a vocabulary without [UNK] or with a duplicate is a typed error")
    func badVocabulary() {
        #expect(throws: TransformerError.badVocabulary(file: "v", line: 2, reason: "duplicate token 'a'")) {
            try WordPieceTokenizer(tokens: ["a", "a"], file: "v")
        }
        #expect(throws: TransformerError.badVocabulary(file: "v", line: 4, reason: "missing special token [UNK]")) {
            try WordPieceTokenizer(tokens: ["[PAD]", "[CLS]", "[SEP]", "x"], file: "v")
        }
    }
}
