import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Musl)
import Musl
private let systemWrite = Musl.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
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
    ///   written or renamed (the reason says "not a directory", "permission denied",
    ///   "read-only file system", ... and names the path at fault); the temporary file is
    ///   removed in that case.
    /// - Complexity: O(data.count). Memory: no copy of `data`.
    public static func write(_ data: Data, to url: URL) throws(ReportError) {
        let n = counter.add(1, ordering: .relaxed).newValue
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(n).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotWrite(path: url.path, reason: diagnosis(errno, creating: url)) }
        var failure: Int32 = 0
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if close(fd) != 0, failure == 0 { failure = errno }
        guard failure == 0, rename(temporary.path, url.path) == 0 else {
            let code = failure != 0 ? failure : errno
            unlink(temporary.path)
            throw .cannotWrite(path: url.path, reason: diagnosis(code, creating: url))
        }
    }

    /// Writes UTF-8 `text` to `url` atomically (see ``write(_:to:)``).
    public static func write(_ text: String, to url: URL) throws(ReportError) {
        try write(Data(text.utf8), to: url)
    }

    /// Creates `url` and its missing parents as directories; succeeds if it already is one.
    ///
    /// - Throws: ``ReportError/cannotCreateDirectory(path:reason:)`` when the path or one of its
    ///   parents exists and is not a directory, or a directory cannot be created; the reason
    ///   names the path at fault ("'/a/file' is not a directory", "permission denied in '/a'",
    ///   "'/' is a read-only file system").
    public static func createDirectory(_ url: URL) throws(ReportError) {
        let path = url.standardizedFileURL.path
        var missing: [String] = []
        var current = path
        while !current.isEmpty && current != "/" {
            var info = stat()
            if stat(current, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw .cannotCreateDirectory(path: url.path, reason: "'\(current)' is not a directory")
                }
                break
            }
            guard errno == ENOENT else { throw .cannotCreateDirectory(path: url.path, reason: diagnosis(errno, creating: URL(fileURLWithPath: current))) }
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for directory in missing.reversed() where mkdir(directory, 0o777) != 0 && errno != EEXIST {
            throw .cannotCreateDirectory(path: url.path, reason: diagnosis(errno, creating: URL(fileURLWithPath: directory)))
        }
    }

    /// Reads the whole file at `url` (the reading counterpart used for run records and
    /// checkpoints).
    ///
    /// - Parameter url: the file.
    /// - Returns: its bytes.
    /// - Throws: ``ReportError/cannotRead(path:reason:)`` with "no such file", "is a directory",
    ///   "permission denied", "'P' is not a directory" or the system's message.
    /// - Complexity: O(file size).
    public static func read(_ url: URL) throws(ReportError) -> Data {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            let reason = switch code {
            case ENOENT: "no such file"
            case EACCES, EPERM: "permission denied"
            case ENOTDIR: diagnosis(code, creating: url)
            default: String(cString: strerror(code))
            }
            throw .cannotRead(path: path, reason: reason)
        }
        var info = stat()
        let isDirectory = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
        close(fd)
        guard !isDirectory else { throw .cannotRead(path: path, reason: "is a directory") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }

    /// A one-line reason for a failed `errno` while creating `url`, naming the path at fault:
    /// "'P' is not a directory", "permission denied in 'P'", "'P' is on a read-only file
    /// system", "'P' does not accept new entries" (a special file system such as /proc), or the
    /// system's message.
    ///
    /// - Parameters:
    ///   - code: the `errno` of the failed call.
    ///   - url: the file or directory that was being created.
    public static func diagnosis(_ code: Int32, creating url: URL) -> String {
        let parent = url.deletingLastPathComponent().path
        switch code {
        case ENOTDIR:
            var current = parent
            while !current.isEmpty && current != "/" {
                var info = stat()
                if stat(current, &info) == 0, info.st_mode & S_IFMT != S_IFDIR { return "'\(current)' is not a directory" }
                current = (current as NSString).deletingLastPathComponent
            }
            return "a parent of '\(url.path)' is not a directory"
        case EACCES, EPERM:
            return "permission denied in '\(parent)'"
        case EROFS:
            return "'\(parent)' is on a read-only file system"
        case ENOSPC:
            return "no space left on the device of '\(parent)'"
        case EISDIR:
            return "'\(url.path)' is a directory"
        case ENOENT:
            var info = stat()
            if stat(parent, &info) == 0 { return "'\(parent)' does not accept new entries (a special file system?)" }
            return "'\(parent)' does not exist"
        default:
            return String(cString: strerror(code)) + " ('\(url.path)')"
        }
    }
}
