import Foundation
import HiSoNetwork
import HiSoWire
import Testing

/// The append-only round log: frames survive a reopen; a torn or corrupted tail is cut off and
/// never trusted; a foreign file is refused.
@Suite("Durable round log")
struct DurableLogTests {
    static func entry(round: UInt64) -> Hiso_Federation_V1_LogEntry {
        var record = Hiso_Federation_V1_RoundRecord()
        record.round = round
        record.participants = [1, 3]
        var entry = Hiso_Federation_V1_LogEntry()
        entry.round = record
        return entry
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("hiso-log-\(UUID().uuidString)").path
    }

    @Test("entries appended are read back in order after a reopen")
    func reopen() throws {
        let path = Self.temporaryPath()
        do {
            let (log, entries) = try DurableLog.open(path: path)
            #expect(entries.isEmpty)
            for r in 0..<5 { try log.append(Self.entry(round: UInt64(r))) }
        }
        let (log, entries) = try DurableLog.open(path: path)
        #expect(entries == (0..<5).map { Self.entry(round: UInt64($0)) })
        #expect(log.droppedTailBytes == 0)
        try log.append(Self.entry(round: 5))
        #expect(try DurableLog.read(path: path).count == 6)
    }

    @Test("a torn last frame is cut off; a flipped byte ends the trusted prefix", arguments: [-3, -1])
    func tornTail(_ cut: Int) throws {
        let path = Self.temporaryPath()
        do {
            let (log, _) = try DurableLog.open(path: path)
            for r in 0..<3 { try log.append(Self.entry(round: UInt64(r))) }
        }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.removeLast(-cut)
        try bytes.write(to: URL(fileURLWithPath: path))
        let (log, entries) = try DurableLog.open(path: path)
        #expect(entries.count == 2)
        #expect(log.droppedTailBytes > 0)
        try log.append(Self.entry(round: 2))
        #expect(try DurableLog.read(path: path) == (0..<3).map { Self.entry(round: UInt64($0)) })

        var corrupted = try Data(contentsOf: URL(fileURLWithPath: path))
        corrupted[corrupted.count - 2] ^= 0x40
        try corrupted.write(to: URL(fileURLWithPath: path))
        #expect(try DurableLog.read(path: path).count == 2)
    }

    @Test("a file that is not a round log is refused")
    func foreignFile() throws {
        let path = Self.temporaryPath()
        try Data("not a log".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: NetworkError.self) { _ = try DurableLog.open(path: path) }
    }
}
