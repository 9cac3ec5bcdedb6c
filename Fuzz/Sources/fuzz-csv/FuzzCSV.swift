import Foundation
import FuzzSupport
import HiSoData

/// The reference directory: `digits_test.csv` is a link to `digits_train.csv`, so one write
/// feeds both files of ``DigitsDataset/reference(directory:)``.
private let referenceDirectory: URL = {
    let directory = FuzzInput.directory
    let test = directory.appendingPathComponent("digits_test.csv").path
    try? FileManager.default.createSymbolicLink(atPath: test, withDestinationPath: "digits_train.csv")
    return directory
}()

/// One fuzzer input: as the peer's `label,f0..f63` digits CSV (train and test).
func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let directory = referenceDirectory
    _ = FuzzInput.file(data, size, name: "digits_train.csv")
    _ = try? DigitsDataset.reference(directory: directory)
    return 0
}

/// Runs libFuzzer on ``fuzzCSV(_:_:)``.
@main
enum FuzzCSV {
    static func main() {
        FuzzDriver.run(fuzzCSV)
    }
}
