import FuzzSupport

/// One fuzzer input: a gzip-compressed IDX file (the seeds are gzip streams, so mutations hit
/// the gzip header, the deflate stream and the ISIZE trailer the size hint reads).
func fuzzIDXGzip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzIDX.read(FuzzInput.file(data, size, name: "input-idx-ubyte.gz"))
    return 0
}

/// Runs libFuzzer on ``fuzzIDXGzip(_:_:)``.
@main
enum FuzzIDXGzip {
    static func main() {
        FuzzDriver.run(fuzzIDXGzip)
    }
}
