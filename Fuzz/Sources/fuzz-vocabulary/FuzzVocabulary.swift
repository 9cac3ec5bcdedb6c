import FuzzSupport
import HiSoTransformer

/// One fuzzer input: as a WordPiece `vocab.txt`; when it loads, a fixed sentence is
/// tokenized with it (so the lookups run against fuzzed tokens).
func fuzzVocabulary(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file(data, size, name: "vocab.txt")
    guard let tokenizer = try? WordPieceTokenizer(vocabularyFile: url) else { return 0 }
    _ = tokenizer.encode("A gripping, un-Hollywood film ## [SEP] with naïve charm.", maxLength: 16)
    return 0
}

/// Runs libFuzzer on ``fuzzVocabulary(_:_:)``.
@main
enum FuzzVocabulary {
    static func main() {
        FuzzDriver.run(fuzzVocabulary)
    }
}
