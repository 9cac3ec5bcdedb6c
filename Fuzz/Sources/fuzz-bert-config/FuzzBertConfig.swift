import FuzzSupport
import HiSoTransformer

/// One fuzzer input: as a Hugging Face BERT `config.json`; an accepted configuration
/// also builds its encoder's parameter layout, as loading a model does next.
func fuzzBertConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file(data, size, name: "config.json")
    guard let configuration = try? BertConfiguration(contentsOf: url) else { return 0 }
    _ = BertEncoder(configuration: configuration).layout.count
    return 0
}

/// Runs libFuzzer on ``fuzzBertConfig(_:_:)``.
@main
enum FuzzBertConfig {
    static func main() {
        FuzzDriver.run(fuzzBertConfig)
    }
}
