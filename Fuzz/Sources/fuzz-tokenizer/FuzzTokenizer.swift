import Foundation
import FuzzSupport
import HiSoTransformer

/// The full 30,522-token uncased BERT vocabulary of the transformer test fixtures.
private let tokenizer: WordPieceTokenizer = {
    let vocabulary = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Tests/HiSoTransformerTests/Fixtures/vocab.txt")
    do {
        return try WordPieceTokenizer(vocabularyFile: vocabulary)
    } catch {
        fatalError("fuzz harness: \(error)")
    }
}()

/// One fuzzer input: as text to tokenize (invalid UTF-8 repaired as a reader of user
/// text would), with and without truncation.
func fuzzTokenizer(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: FuzzInput.bytes(data, size), as: UTF8.self)
    _ = tokenizer.encode(text, maxLength: 2)
    _ = tokenizer.encode(text, maxLength: 128)
    return 0
}

/// Runs libFuzzer on ``fuzzTokenizer(_:_:)``.
@main
enum FuzzTokenizer {
    static func main() {
        FuzzDriver.run(fuzzTokenizer)
    }
}
