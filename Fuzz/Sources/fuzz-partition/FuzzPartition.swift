import FuzzSupport
import HiSoData

/// One fuzzer input: as a `client,train_row` partition file over 64 rows, read with
/// the client count taken from the file and with a fixed count of 4.
func fuzzPartition(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file(data, size, name: "partition.csv")
    _ = try? Partition.file(url, sampleCount: 64)
    _ = try? Partition.file(url, sampleCount: 64, clientCount: 4)
    return 0
}

/// Runs libFuzzer on ``fuzzPartition(_:_:)``.
@main
enum FuzzPartition {
    static func main() {
        FuzzDriver.run(fuzzPartition)
    }
}
