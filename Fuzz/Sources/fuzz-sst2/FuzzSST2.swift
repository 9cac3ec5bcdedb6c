import FuzzSupport
import HiSoTransformer

/// One fuzzer input: as a GLUE SST-2 TSV split.
func fuzzSST2(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file(data, size, name: "train.tsv")
    _ = try? SST2Dataset(contentsOf: url)
    return 0
}

/// Runs libFuzzer on ``fuzzSST2(_:_:)``.
@main
enum FuzzSST2 {
    static func main() {
        FuzzDriver.run(fuzzSST2)
    }
}
