import Foundation
import Testing
@testable import HiSoData

/// The IDX reader on the real Fashion-MNIST files of Debian's `dataset-fashion-mnist`
/// (installed by Utils/bootstrap, so CI runs these).
@Suite(
    .enabled(
        if: FashionMNIST.isAvailable(),
        "Fashion-MNIST is not installed in /usr/share/datasets/fashion-mnist (run Utils/bootstrap)"))
struct FashionMNISTTests {
    @Test func trainSplitCountsClassesAndPixelMean() throws {
        let train = try FashionMNIST.load(split: .train, normalization: .raw)
        #expect(train.count == 60_000)
        #expect(train.featureShape == [1, 28, 28])
        #expect(train.features.count == 60_000 * 784)
        #expect(train.classHistogram() == [Int](repeating: 6_000, count: 10))
        let (mean, std) = Self.meanAndStd(train.features)
        #expect(abs(mean - 72.94) < 0.01, "raw train pixel mean \(mean)")
        #expect(abs(mean / 255 - Double(FashionMNIST.pixelMean)) < 1e-4)
        #expect(abs(std / 255 - Double(FashionMNIST.pixelStd)) < 1e-3, "train pixel std \(std / 255)")
    }

    @Test func testSplitCountsAndNormalization() throws {
        let test = try FashionMNIST.load(split: .test)
        #expect(test.count == 10_000)
        #expect(test.classHistogram() == [Int](repeating: 1_000, count: 10))
        let (mean, std) = Self.meanAndStd(test.features)
        #expect(abs(mean) < 0.02, "standardised test mean \(mean)")
        #expect(abs(std - 1) < 0.02, "standardised test std \(std)")
        let minimum = test.features.min() ?? 0
        #expect(abs(minimum - (-0.2860 / 0.3530)) < 1e-5)
    }

    @Test func missingDirectoryIsATypedError() throws {
        let nowhere = URL(fileURLWithPath: "/nonexistent-hiso-dir")
        let error = #expect(throws: DataError.self) { try FashionMNIST.load(split: .test, directory: nowhere) }
        #expect(error?.description.contains("/nonexistent-hiso-dir/t10k-images-idx3-ubyte.gz") == true)
    }

    static func meanAndStd(_ values: [Float]) -> (Double, Double) {
        values.withUnsafeBufferPointer { x in
            var sum = 0.0
            var sumSquares = 0.0
            for v in x {
                sum += Double(v)
                sumSquares += Double(v) * Double(v)
            }
            let mean = sum / Double(x.count)
            return (mean, (sumSquares / Double(x.count) - mean * mean).squareRoot())
        }
    }
}
