import Foundation
import SwiftProtobuf

// The POSIX calls under names that `DurableLog`'s own `open(path:)` and `read(path:)` do not shadow.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemClose(_ fd: Int32) { _ = close(fd) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }

/// The server's durable state: an append-only file of checksummed frames, one
/// `Hiso_Federation_V1_LogEntry` each (the run configuration first, then committed rounds and
/// model checkpoints).
///
/// Format: the 8-byte magic `HISOLOG1`, then frames
/// `[length: UInt32 LE][crc32(payload): UInt32 LE][payload: length bytes of protobuf]`.
/// ``append(_:)`` writes one frame with a single `write` and `fsync`s before it returns, so a
/// round is on disk before the server announces it. ``open(path:)`` reads every frame; a torn
/// tail (a frame cut short or failing its checksum, which a crash during an append leaves) is
/// cut off and reported in ``droppedTailBytes``; nothing after the first bad frame is trusted.
///
/// Why a log and not SQLite: the state is written once, in round order, and read back whole on
/// restart, which is exactly an append-only log; the frames reuse the wire schema, so there is
/// one encoding of a round; and it adds no dependency to build.
///
/// Memory: none beyond the frame being written; ``open(path:)`` holds the file's bytes once.
public final class DurableLog {
    /// The file.
    public let path: String
    /// Bytes cut off a torn tail when the file was opened.
    public let droppedTailBytes: Int
    private let descriptor: Int32
    private static let magic = Array("HISOLOG1".utf8)
    /// The largest frame accepted on reading (a larger length field is corruption).
    static let maximumFrameBytes = 1 << 30

    private init(path: String, descriptor: Int32, droppedTailBytes: Int) {
        self.path = path
        self.descriptor = descriptor
        self.droppedTailBytes = droppedTailBytes
    }

    deinit { systemClose(descriptor) }

    /// Opens (or creates) the log at `path` and returns it with its valid entries, in order.
    ///
    /// - Throws: ``NetworkError/storage(file:reason:)`` when the file cannot be opened, read or
    ///   truncated; ``NetworkError/logCorrupted(file:reason:)`` when it is not a round log.
    /// - Complexity: O(file size).
    public static func open(path: String) throws(NetworkError) -> (log: DurableLog, entries: [Hiso_Federation_V1_LogEntry]) {
        let fd = systemOpen(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .storage(file: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        let bytes: [UInt8]
        do {
            bytes = try readAll(fd, path: path)
        } catch {
            systemClose(fd)
            throw error
        }
        if bytes.isEmpty {
            guard writeAll(fd, magic), fsync(fd) == 0 else {
                systemClose(fd)
                throw .storage(file: path, reason: "cannot write the header: \(String(cString: strerror(errno)))")
            }
            return (DurableLog(path: path, descriptor: fd, droppedTailBytes: 0), [])
        }
        let entries: [Hiso_Federation_V1_LogEntry], valid: Int
        do {
            (entries, valid) = try parse(bytes, path: path)
        } catch {
            systemClose(fd)
            throw error
        }
        if valid < bytes.count {
            guard ftruncate(fd, off_t(valid)) == 0, fsync(fd) == 0 else {
                systemClose(fd)
                throw .storage(file: path, reason: "cannot cut the torn tail: \(String(cString: strerror(errno)))")
            }
        }
        guard lseek(fd, 0, SEEK_END) >= 0 else {
            systemClose(fd)
            throw .storage(file: path, reason: "cannot seek: \(String(cString: strerror(errno)))")
        }
        return (DurableLog(path: path, descriptor: fd, droppedTailBytes: bytes.count - valid), entries)
    }

    /// Reads the valid entries of the log at `path` without changing the file (a torn tail is
    /// ignored).
    ///
    /// - Throws: ``NetworkError/storage(file:reason:)`` when it cannot be read,
    ///   ``NetworkError/logCorrupted(file:reason:)`` when it is not a round log.
    public static func read(path: String) throws(NetworkError) -> [Hiso_Federation_V1_LogEntry] {
        let fd = systemOpen(path, O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw .storage(file: path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { systemClose(fd) }
        return try parse(try readAll(fd, path: path), path: path).entries
    }

    /// The entries of the frames of `bytes` (a whole log file) up to the first invalid one, and
    /// the length of that valid prefix.
    ///
    /// - Throws: ``NetworkError/logCorrupted(file:reason:)`` when `bytes` does not start with
    ///   the magic.
    public static func parse(_ bytes: [UInt8], path: String) throws(NetworkError) -> (entries: [Hiso_Federation_V1_LogEntry], valid: Int) {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw .logCorrupted(file: path, reason: "it does not start with the magic HISOLOG1")
        }
        var entries: [Hiso_Federation_V1_LogEntry] = []
        var offset = magic.count
        while offset + 8 <= bytes.count {
            let length = Int(littleEndian(bytes, offset))
            let checksum = littleEndian(bytes, offset + 4)
            let start = offset + 8
            guard length <= maximumFrameBytes, start + length <= bytes.count else { break }
            let payload = bytes[start..<(start + length)]
            guard CRC32.checksum(payload) == checksum,
                  let entry = try? Hiso_Federation_V1_LogEntry(serializedBytes: Array(payload)) else { break }
            entries.append(entry)
            offset = start + length
        }
        return (entries, offset)
    }

    /// Appends `entry` as one frame and flushes it to disk.
    ///
    /// - Throws: ``NetworkError/storage(file:reason:)`` when the write or the `fsync` fails.
    /// - Complexity: O(entry size) plus one `fsync`.
    public func append(_ entry: Hiso_Federation_V1_LogEntry) throws(NetworkError) {
        let payload: [UInt8]
        do {
            payload = try entry.serializedBytes()
        } catch {
            throw .storage(file: path, reason: "cannot encode an entry: \(error)")
        }
        var frame = [UInt8]()
        frame.reserveCapacity(payload.count + 8)
        Self.appendLittleEndian(UInt32(payload.count), to: &frame)
        Self.appendLittleEndian(CRC32.checksum(payload), to: &frame)
        frame.append(contentsOf: payload)
        guard Self.writeAll(descriptor, frame), fsync(descriptor) == 0 else {
            throw .storage(file: path, reason: "cannot append: \(String(cString: strerror(errno)))")
        }
    }

    private static func readAll(_ fd: Int32, path: String) throws(NetworkError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .storage(file: path, reason: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += n
        }
        return true
    }

    private static func littleEndian(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    private static func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
