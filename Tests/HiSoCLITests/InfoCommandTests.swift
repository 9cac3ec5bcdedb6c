import Foundation
import Testing

@testable import hiso

/// `hiso info` reads and validates every data set it reports and names a missing or corrupt file.
@Suite struct InfoCommandTests {
    /// The status `hiso info` reports for the data set called `name`.
    static func status(_ info: MachineInfo, _ name: String) throws -> MachineInfo.DataSetStatus {
        try #require(info.dataSets.first { $0.name == name }, "no \(name) in \(info.dataSets.map(\.name))")
    }

    /// An IDX header: magic, then big-endian dimensions.
    static func idx(_ magic: UInt32, _ dimensions: [UInt32], payload: Int) -> Data {
        var bytes: [UInt8] = []
        for word in [magic] + dimensions { bytes += withUnsafeBytes(of: word.bigEndian, Array.init) }
        return Data(bytes + [UInt8](repeating: 0, count: payload))
    }

    @Test func corruptMissingAndValidFashionMNISTFilesAreToldApart() throws {
        let dir = try TemporaryDirectory()
        let missing = MachineInfo.gather(referenceDirectory: nil, fashionDirectory: dir.url)
        let absent = try Self.status(missing, "Fashion-MNIST")
        #expect(!absent.found && absent.status == "missing")
        #expect(absent.detail.contains(dir.url.path))

        for (split, count) in [("train", 3), ("t10k", 2)] {
            try Self.idx(0x0000_0803, [UInt32(count), 28, 28], payload: count * 784)
                .write(to: dir.url.appendingPathComponent("\(split)-images-idx3-ubyte"))
            try Self.idx(0x0000_0801, [UInt32(count)], payload: count).write(to: dir.url.appendingPathComponent("\(split)-labels-idx1-ubyte"))
        }
        let valid = try Self.status(MachineInfo.gather(referenceDirectory: nil, fashionDirectory: dir.url), "Fashion-MNIST")
        #expect(valid.found && valid.status == "found")
        #expect(valid.detail.hasPrefix("3 train / 2 test images of 28x28"), "\(valid.detail)")

        let truncated = dir.url.appendingPathComponent("t10k-images-idx3-ubyte")
        try Self.idx(0x0000_0803, [2, 28, 28], payload: 784).write(to: truncated)
        let corrupt = try Self.status(MachineInfo.gather(referenceDirectory: nil, fashionDirectory: dir.url), "Fashion-MNIST")
        #expect(!corrupt.found && corrupt.status == "corrupt")
        #expect(corrupt.detail.contains(truncated.path), "\(corrupt.detail)")
        try Self.idx(0x0803_0000, [2, 28, 28], payload: 2 * 784).write(to: truncated)
        let magic = try Self.status(MachineInfo.gather(referenceDirectory: nil, fashionDirectory: dir.url), "Fashion-MNIST")
        #expect(magic.status == "corrupt" && magic.detail.contains(truncated.path), "\(magic.detail)")
    }

    @Test func sst2AndReferenceDirectoriesAreReadWithTheirHeaders() throws {
        let dir = try TemporaryDirectory()
        try "label\tsentence\n1\tgood\n0\tbad\n".write(to: dir.url.appendingPathComponent("train.tsv"), atomically: true, encoding: .utf8)
        let dev = dir.url.appendingPathComponent("dev.tsv")
        try "score\tsentence\n1\tfine\n".write(to: dev, atomically: true, encoding: .utf8)
        let info = MachineInfo.gather(referenceDirectory: dir.url, fashionDirectory: dir.url, sst2Directory: dir.url)
        let sst2 = try Self.status(info, "SST-2")
        #expect(sst2.status == "corrupt" && sst2.detail.contains(dev.path) && sst2.detail.contains("no 'label' column"), "\(sst2.detail)")
        try "label\tsentence\n1\tfine\n".write(to: dev, atomically: true, encoding: .utf8)
        let fixed = try Self.status(MachineInfo.gather(referenceDirectory: nil, fashionDirectory: dir.url, sst2Directory: dir.url), "SST-2")
        #expect(fixed.found && fixed.detail.hasPrefix("2 train / 1 dev sentences"))
        let reference = try Self.status(info, "digits reference")
        #expect(reference.status == "missing" && reference.detail.contains(dir.url.appendingPathComponent("digits_train.csv").path), "\(reference.detail)")
        #expect(info.text.contains("missing digits reference at \(dir.url.path)"))
    }
}
