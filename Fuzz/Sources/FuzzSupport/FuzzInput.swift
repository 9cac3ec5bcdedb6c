import Foundation

/// Hands a fuzzer input to a reader as a file: each target writes the input to one fixed path in
/// a private temporary directory (under `/dev/shm` when it exists, so no disk I/O) and calls the
/// reader on that path.
///
/// Memory: one file of the input's size; the directory is reused for every input of a process.
public enum FuzzInput {
    /// The process's private scratch directory, created on first use.
    public static let directory: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let url = URL(fileURLWithPath: base, isDirectory: true)
            .appendingPathComponent("hiso-fuzz-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            fatalError("fuzz harness: cannot create \(url.path): \(error)")
        }
        return url
    }()

    /// Writes `size` bytes at `data` to `name` inside ``directory`` and returns its URL.
    ///
    /// - Parameters:
    ///   - data: the fuzzer's input.
    ///   - size: its length in bytes.
    ///   - name: the file name (its extension matters to some readers).
    /// - Complexity: O(size).
    public static func file(_ data: UnsafePointer<UInt8>?, _ size: Int, name: String) -> URL {
        let url = directory.appendingPathComponent(name)
        let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
        do {
            try bytes.write(to: url)
        } catch {
            fatalError("fuzz harness: cannot write \(url.path): \(error)")
        }
        return url
    }

    /// The input as a Swift byte array.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    }
}
