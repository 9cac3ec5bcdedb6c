import FuzzSupport

/// One fuzzer input: a plain IDX file, read as images and as labels.
func fuzzIDXRaw(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzIDX.read(FuzzInput.file(data, size, name: "input-idx-ubyte"))
    return 0
}

/// Runs libFuzzer on ``fuzzIDXRaw(_:_:)``.
@main
enum FuzzIDXRaw {
    static func main() {
        FuzzDriver.run(fuzzIDXRaw)
    }
}
