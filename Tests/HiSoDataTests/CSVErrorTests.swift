import Foundation
import Testing
@testable import HiSoData

/// Malformed CSV input gives typed errors with the file, line and column.
@Suite struct CSVErrorTests {
    static let header = "label," + (0..<64).map { "f\($0)" }.joined(separator: ",")
    static func row(_ label: String, _ value: String = "0.5") -> String {
        label + "," + [String](repeating: value, count: 64).joined(separator: ",")
    }

    /// Writes `train` and a valid one-row test file into a fresh directory.
    func referenceDirectory(train: String) throws -> URL {
        let directory = try DataTestPaths.temporaryDirectory()
        try train.write(to: directory.appendingPathComponent("digits_train.csv"), atomically: true, encoding: .utf8)
        try [Self.header, Self.row("1")].joined(separator: "\n")
            .write(to: directory.appendingPathComponent("digits_test.csv"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test func validFileReads() throws {
        let directory = try referenceDirectory(train: [Self.header, Self.row("3"), Self.row("9", "-1.25"), ""].joined(separator: "\r\n"))
        defer { try? FileManager.default.removeItem(at: directory) }
        let split = try DigitsDataset.reference(directory: directory)
        #expect(split.train.labels == [3, 9])
        #expect(split.train.features[64] == -1.25)
    }

    @Test func badNumberNamesLineAndColumn() throws {
        var bad = Self.row("2").split(separator: ",").map(String.init)
        bad[6] = "abc"
        let directory = try referenceDirectory(train: [Self.header, Self.row("3"), bad.joined(separator: ",")].joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("digits_train.csv").path
        #expect(throws: DataError.malformedCSV(file: file, line: 3, column: 7, reason: "expected a finite number, found 'abc'")) {
            try DigitsDataset.reference(directory: directory)
        }
    }

    @Test func shortRowNamesLine() throws {
        let directory = try referenceDirectory(train: [Self.header, Self.row("3"), "4,0.1,0.2"].joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: DataError.self) { try DigitsDataset.reference(directory: directory) }
        #expect(error?.description.contains("line 3, column 4: expected 65 cells, found 3") == true, "\(String(describing: error))")
    }

    @Test func badHeaderAndLabelOutOfRange() throws {
        let wrongHeader = try referenceDirectory(train: ["label,x0", "1,2"].joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(at: wrongHeader) }
        let headerError = #expect(throws: DataError.self) { try DigitsDataset.reference(directory: wrongHeader) }
        #expect(headerError?.description.contains("line 1, column 2: expected header cell 'f0', found 'x0'") == true)

        let badLabel = try referenceDirectory(train: [Self.header, Self.row("12")].joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(at: badLabel) }
        let file = badLabel.appendingPathComponent("digits_train.csv").path
        #expect(throws: DataError.labelOutOfRange(file: file, location: "line 2, column 1", label: 12, classCount: 10)) {
            try DigitsDataset.reference(directory: badLabel)
        }
    }

    @Test func partitionFileErrors() throws {
        let directory = try DataTestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ text: String) throws -> URL {
            let url = directory.appendingPathComponent("partition-\(UUID().uuidString).csv")
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        let good = try write("client,train_row\n0,0\n1,2\n0,1\n1,3\n")
        let partition = try Partition.file(good, sampleCount: 4)
        #expect(partition.clients == [[0, 1], [2, 3]])

        let duplicate = try write("client,train_row\n0,0\n1,0\n")
        #expect(throws: DataError.invalidAssignment(
            partition: duplicate.path, location: "line 3", index: 0, sampleCount: 4, reason: "assigned more than once")) {
            try Partition.file(duplicate, sampleCount: 4)
        }
        let outOfRange = try write("client,train_row\n0,0\n1,9\n")
        #expect(throws: DataError.invalidAssignment(
            partition: outOfRange.path, location: "line 3", index: 9, sampleCount: 4, reason: "out of range")) {
            try Partition.file(outOfRange, sampleCount: 4)
        }
        let emptyClient = try write("client,train_row\n0,0\n2,1\n0,2\n")
        #expect(throws: DataError.emptyClient(client: 1, clientCount: 3, partition: emptyClient.path)) {
            try Partition.file(emptyClient, sampleCount: 4)
        }
        let notInteger = try write("client,train_row\n0,0\nx,1\n")
        #expect(throws: DataError.malformedCSV(file: notInteger.path, line: 3, column: 1, reason: "expected an integer, found 'x'")) {
            try Partition.file(notInteger, sampleCount: 4)
        }
        let tooManyClients = try write("client,train_row\n0,0\n5,1\n")
        #expect(throws: DataError.malformedCSV(
            file: tooManyClients.path, line: 3, column: 1, reason: "client 5 out of range 0..<2 (the client count)")) {
            try Partition.file(tooManyClients, sampleCount: 4, clientCount: 2)
        }
        let hugeClient = try write("client,train_row\n0,0\n999999999999,1\n")
        #expect(throws: DataError.malformedCSV(
            file: hugeClient.path, line: 3, column: 1, reason: "client 999999999999 out of range 0..<2 (every client needs a row)")) {
            try Partition.file(hugeClient, sampleCount: 4)
        }
        let empty = try write("")
        #expect(throws: DataError.malformedCSV(file: empty.path, line: 1, column: 1, reason: "the file is empty")) {
            try Partition.file(empty, sampleCount: 4)
        }
    }
}
