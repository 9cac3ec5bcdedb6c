import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Atomic file output: readers see either the old file or the complete new one, never a torn write.
///
/// The bytes go to a temporary file in the destination's directory (same file system), which is
/// then renamed over the destination with `rename(2)`, an atomic replacement on POSIX systems.
/// A crash or Ctrl-C in the middle leaves at most a stray `.<name>.<pid>.<n>.tmp` file next to it.
public enum AtomicFile {
    /// A process-wide counter that keeps concurrent temporary names distinct.
    private static let counter = Atomic<UInt64>(0)

    /// Writes `data` to `url` atomically.
    ///
    /// - Parameters:
    ///   - data: the complete new content.
    ///   - url: the destination file; its directory must exist (see ``createDirectory(_:)``).
    /// - Throws: ``ReportError/cannotWrite(path:reason:)`` when the temporary file cannot be
    ///   written or renamed; the temporary file is removed in that case.
    /// - Complexity: O(data.count). Memory: no copy of `data`.
    public static func write(_ data: Data, to url: URL) throws(ReportError) {
        let n = counter.add(1, ordering: .relaxed).newValue
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(n).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            throw .cannotWrite(path: url.path, reason: Self.reason(error))
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .cannotWrite(path: url.path, reason: reason)
        }
    }

    /// Writes UTF-8 `text` to `url` atomically (see ``write(_:to:)``).
    public static func write(_ text: String, to url: URL) throws(ReportError) {
        try write(Data(text.utf8), to: url)
    }

    /// Creates `url` and its missing parents as directories; succeeds if it already is one.
    ///
    /// - Throws: ``ReportError/cannotCreateDirectory(path:reason:)`` when the path exists and is
    ///   not a directory, or the directory cannot be created.
    public static func createDirectory(_ url: URL) throws(ReportError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw .cannotCreateDirectory(path: url.path, reason: "a file with that name exists")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(path: url.path, reason: Self.reason(error))
        }
    }

    /// A one-line reason for a Foundation error (the underlying POSIX message when there is one).
    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription.replacingOccurrences(of: "\n", with: " ")
    }
}
