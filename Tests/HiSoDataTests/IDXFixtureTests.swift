import Foundation
import Testing
@testable import HiSoData

/// The IDX reader on the committed fixtures (see Fixtures/make_fixtures.py), plain and gzip.
@Suite struct IDXFixtureTests {
    static let variants = ["", ".gz"]

    @Test(arguments: variants)
    func readsSmallImagesAndLabels(suffix: String) throws {
        let images = try IDX.readImages(DataTestPaths.fixture("small-images-idx3-ubyte" + suffix))
        #expect(images.count == 5 && images.rows == 3 && images.columns == 4)
        #expect(images.pixels.count == 60)
        for i in 0..<5 {
            for r in 0..<3 {
                for c in 0..<4 {
                    #expect(images.pixels[i * 12 + r * 4 + c] == UInt8((37 * i + 5 * r + c) % 256))
                }
            }
        }
        let labels = try IDX.readLabels(DataTestPaths.fixture("small-labels-idx1-ubyte" + suffix), classCount: 10)
        #expect(labels == [0, 9, 3, 3, 7])
    }

    @Test(arguments: variants)
    func loadsDatasetWithNormalization(suffix: String) throws {
        let dataset = try IDX.loadDataset(
            images: DataTestPaths.fixture("small-images-idx3-ubyte" + suffix),
            labels: DataTestPaths.fixture("small-labels-idx1-ubyte" + suffix),
            classCount: 10, normalization: .fashionMNIST, name: "small")
        #expect(dataset.count == 5 && dataset.featureShape == [1, 3, 4] && dataset.featureCount == 12)
        #expect(dataset.labels == [0, 9, 3, 3, 7])
        let pixel = Float((37 * 2 + 5 * 1 + 3) % 256)
        #expect(abs(dataset.features[2 * 12 + 1 * 4 + 3] - (pixel / 255 - 0.2860) / 0.3530) < 1e-6)
        #expect(dataset.classHistogram() == [1, 0, 0, 2, 0, 0, 0, 1, 0, 1])
    }

    @Test func plainAndGzipAgree() throws {
        let plain = try IDX.readImages(DataTestPaths.fixture("small-images-idx3-ubyte"))
        let gz = try IDX.readImages(DataTestPaths.fixture("small-images-idx3-ubyte.gz"))
        #expect(plain == gz)
    }

    @Test(arguments: variants)
    func truncatedImagesNameOffsetAndSizes(suffix: String) throws {
        let url = DataTestPaths.fixture("truncated-images-idx3-ubyte" + suffix)
        #expect(throws: DataError.truncated(file: url.path, offset: 16, needed: 60, available: 50)) {
            try IDX.readImages(url)
        }
    }

    @Test(arguments: variants)
    func shortHeaderIsTruncated(suffix: String) throws {
        let url = DataTestPaths.fixture("short-header-images-idx3-ubyte" + suffix)
        #expect(throws: DataError.truncated(file: url.path, offset: 4, needed: 4, available: 2)) {
            try IDX.readImages(url)
        }
    }

    @Test(arguments: variants)
    func wrongMagicIsRejected(suffix: String) throws {
        let url = DataTestPaths.fixture("badmagic-images-idx3-ubyte" + suffix)
        let error = #expect(throws: DataError.self) { try IDX.readImages(url) }
        #expect(error == .badMagic(file: url.path, expected: 0x803, found: 0x801))
        #expect(error?.description.contains("expected 0x00000803, found 0x00000801") == true)
        #expect(error?.description.contains(url.path) == true)
    }

    @Test func labelFileReadAsImagesAndViceVersa() throws {
        let labels = DataTestPaths.fixture("small-labels-idx1-ubyte")
        #expect(throws: DataError.badMagic(file: labels.path, expected: 0x803, found: 0x801)) {
            try IDX.readImages(labels)
        }
        let images = DataTestPaths.fixture("small-images-idx3-ubyte")
        #expect(throws: DataError.badMagic(file: images.path, expected: 0x801, found: 0x803)) {
            try IDX.readLabels(images, classCount: 10)
        }
    }

    @Test(arguments: variants)
    func trailingBytesAreRejected(suffix: String) throws {
        let url = DataTestPaths.fixture("trailing-images-idx3-ubyte" + suffix)
        #expect(throws: DataError.trailingBytes(file: url.path, offset: 76, extra: 3)) { try IDX.readImages(url) }
    }

    @Test func zeroDimensionIsRejected() throws {
        let url = DataTestPaths.fixture("zero-rows-images-idx3-ubyte")
        #expect(throws: DataError.badDimension(file: url.path, offset: 8, name: "rows", expected: "at least 1", found: 0)) {
            try IDX.readImages(url)
        }
    }

    @Test(arguments: variants)
    func countMismatchNamesBothFiles(suffix: String) throws {
        let images = DataTestPaths.fixture("small-images-idx3-ubyte" + suffix)
        let labels = DataTestPaths.fixture("mismatch-labels-idx1-ubyte" + suffix)
        let error = #expect(throws: DataError.self) {
            try IDX.loadDataset(images: images, labels: labels, classCount: 10, normalization: .raw)
        }
        #expect(error == .countMismatch(imagesFile: images.path, images: 5, labelsFile: labels.path, labels: 4))
        #expect(error?.description.contains("5 images") == true && error?.description.contains("4 labels") == true)
    }

    @Test(arguments: variants)
    func labelOutOfRangeNamesByteOffset(suffix: String) throws {
        let url = DataTestPaths.fixture("outofrange-labels-idx1-ubyte" + suffix)
        #expect(throws: DataError.labelOutOfRange(file: url.path, location: "byte offset 11", label: 10, classCount: 10)) {
            try IDX.readLabels(url, classCount: 10)
        }
        #expect(try IDX.readLabels(url, classCount: 11) == [0, 9, 3, 10, 7])
    }

    @Test func corruptGzipStreamIsADecompressionError() throws {
        let url = DataTestPaths.fixture("corrupt-stream-images-idx3-ubyte.gz")
        let error = #expect(throws: DataError.self) { try IDX.readImages(url) }
        guard case .decompression(let file, _) = error else {
            Issue.record("expected a decompression error, got \(String(describing: error))")
            return
        }
        #expect(file == url.path)
    }

    @Test func missingFileAndDirectoryAreUnreadable() throws {
        let missing = DataTestPaths.fixture("no-such-file")
        #expect(throws: DataError.unreadable(file: missing.path, reason: "no such file")) { try IDX.readImages(missing) }
        let directory = DataTestPaths.fixtures
        #expect(throws: DataError.unreadable(file: directory.path, reason: "is a directory")) { try IDX.readImages(directory) }
    }

    @Test func normalizationTables() {
        #expect(PixelNormalization.raw.table[200] == 200)
        #expect(PixelNormalization.unitInterval.table[255] == 1)
        #expect(abs(PixelNormalization.fashionMNIST.table[0] - (-0.2860 / 0.3530)) < 1e-6)
    }
}
