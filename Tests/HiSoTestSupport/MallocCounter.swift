#if os(Linux)
import Foundation
import Glibc
import Synchronization

/// Counts the `malloc`, `realloc` and `memalign` calls one thread makes, through glibc's
/// allocation hooks.
///
/// Since glibc 2.34 the hooks only run when `libc_malloc_debug.so.0` is preloaded, so an
/// allocation test runs its workload in a child process: the test bundle itself, re-run with
/// `LD_PRELOAD` and a filter naming one probe test (``runProbe(test:)``), which installs the hooks
/// (``install()``), counts (``count(_:)``) and writes `name=count` pairs (``writeReport(_:)``).
/// The library is looked for beside the libc the dynamic loader mapped into this process, then
/// in the usual multiarch directories; `HISO_MALLOC_DEBUG_LIBRARY` overrides the search.
/// ``unavailableReason`` says why the probe cannot run (no library, or a sanitizer runtime that
/// replaces `malloc`, so the hooks never fire).
public enum MallocCounter {
    /// The environment variable that marks the child process and names its report file.
    public static let probeVariable = "HISO_ALLOCATION_PROBE_OUTPUT"
    /// The environment variable that names the malloc-debug library explicitly.
    public static let libraryVariable = "HISO_MALLOC_DEBUG_LIBRARY"
    /// The malloc-debug library's file name.
    public static let libraryName = "libc_malloc_debug.so.0"

    /// Whether this process is a probe child (started by ``runProbe(test:)``).
    public static var isProbeChild: Bool { ProcessInfo.processInfo.environment[probeVariable] != nil }

    /// The directories searched, in order: the directory of the libc the dynamic loader mapped
    /// into this process (from `/proc/self/maps`), then `/lib/<arch>-linux-gnu`, `/usr/lib/<arch>-linux-gnu`, `/lib64`, `/usr/lib64`,
    /// `/lib` and `/usr/lib`.
    public static var searchDirectories: [String] {
        var directories: [String] = []
        if let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8),
           let libc = maps.split(separator: "\n").lazy.compactMap({ $0.split(separator: " ").last })
               .first(where: { $0.hasSuffix("/libc.so.6") }) {
            directories.append((String(libc) as NSString).deletingLastPathComponent)
        }
        var system = utsname()
        uname(&system)
        let machine = withUnsafeBytes(of: &system.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        for directory in ["/lib/\(machine)-linux-gnu", "/usr/lib/\(machine)-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]
        where !directories.contains(directory) {
            directories.append(directory)
        }
        return directories
    }

    /// The malloc-debug library's path, or `nil` when it is nowhere to be found.
    public static let debugLibrary: String? = {
        if let explicit = ProcessInfo.processInfo.environment[libraryVariable], !explicit.isEmpty {
            return FileManager.default.fileExists(atPath: explicit) ? explicit : nil
        }
        return searchDirectories.map { $0 + "/" + libraryName }.first { FileManager.default.fileExists(atPath: $0) }
    }()

    /// Why allocation probes cannot run in this process, or `nil` when they can.
    public static let unavailableReason: String? = {
        let all = UnsafeMutableRawPointer(bitPattern: 0)
        for (symbol, name) in [("__asan_init", "AddressSanitizer"), ("__tsan_init", "ThreadSanitizer")]
        where dlsym(all, symbol) != nil {
            return "\(name) replaces malloc, so glibc's allocation hooks never run; the allocation tests run in the plain build"
        }
        guard debugLibrary == nil else { return nil }
        typealias Version = @convention(c) () -> UnsafePointer<CChar>
        let version = dlsym(all, "gnu_get_libc_version").map { String(cString: unsafeBitCast($0, to: Version.self)()) } ?? "?"
        if let explicit = ProcessInfo.processInfo.environment[libraryVariable], !explicit.isEmpty {
            return "\(libraryVariable)=\(explicit) does not exist"
        }
        return "glibc \(version)'s \(libraryName) was not found in \(searchDirectories.joined(separator: ", ")); "
            + "install it (Debian/Ubuntu: libc6) or set \(libraryVariable) to its path"
    }()

    typealias Malloc = @convention(c) (Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
    typealias Realloc = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
    typealias Memalign = @convention(c) (Int, Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?

    /// Installs counting hooks that forward to glibc's own allocator; false if the hooks are absent.
    public static func install() -> Bool {
        typealias VersionedLookup = @convention(c) (
            UnsafeMutableRawPointer?, UnsafePointer<CChar>, UnsafePointer<CChar>
        ) -> UnsafeMutableRawPointer?
        let all = UnsafeMutableRawPointer(bitPattern: 0)
        // The hooks are compatibility symbols (GLIBC_2.2.5 only), which plain dlsym does not see.
        guard let lookup = dlsym(all, "dlvsym") else { return false }
        let dlvsym = unsafeBitCast(lookup, to: VersionedLookup.self)
        guard let mallocHook = dlvsym(all, "__malloc_hook", "GLIBC_2.2.5"),
              let reallocHook = dlvsym(all, "__realloc_hook", "GLIBC_2.2.5"),
              let memalignHook = dlvsym(all, "__memalign_hook", "GLIBC_2.2.5"),
              let libcMalloc = dlsym(all, "__libc_malloc"),
              let libcRealloc = dlsym(all, "__libc_realloc"),
              let libcMemalign = dlsym(all, "__libc_memalign")
        else { return false }
        realMalloc = unsafeBitCast(libcMalloc, to: Malloc.self)
        realRealloc = unsafeBitCast(libcRealloc, to: Realloc.self)
        realMemalign = unsafeBitCast(libcMemalign, to: Memalign.self)
        _ = armed.load(ordering: .relaxed)
        _ = calls.load(ordering: .relaxed)
        _ = largest.load(ordering: .relaxed)
        _ = large.load(ordering: .relaxed)
        _ = threshold.load(ordering: .relaxed)
        mallocHook.assumingMemoryBound(to: Malloc?.self).pointee = countingMalloc
        reallocHook.assumingMemoryBound(to: Realloc?.self).pointee = countingRealloc
        memalignHook.assumingMemoryBound(to: Memalign?.self).pointee = countingMemalign
        return true
    }

    /// The allocator calls `body` makes on the calling thread.
    public static func count(_ body: () throws -> Void) rethrows -> Int {
        let before = calls.load(ordering: .relaxed)
        arm()
        defer { disarm() }
        try body()
        return calls.load(ordering: .relaxed) - before
    }

    /// What the allocator calls of one measured body asked for.
    public struct Profile: Sendable {
        /// The number of `malloc`, `realloc` and `memalign` calls.
        public let calls: Int
        /// The largest size requested by one of them, in bytes (0 without calls).
        public let largestBytes: Int
        /// How many of them asked for at least ``largeThreshold`` bytes (running total in a
        /// ``snapshot()``).
        public let largeCalls: Int
    }

    /// The size from which a request counts as large (``Profile/largeCalls``); `Int.max` by default.
    public static var largeThreshold: Int {
        get { threshold.load(ordering: .relaxed) }
        set { threshold.store(newValue, ordering: .relaxed) }
    }

    /// The allocator calls `body` makes on the calling thread, and the largest request.
    public static func profile(_ body: () throws -> Void) rethrows -> Profile {
        largest.store(0, ordering: .relaxed)
        let before = large.load(ordering: .relaxed)
        let count = try count(body)
        return Profile(
            calls: count, largestBytes: largest.load(ordering: .relaxed), largeCalls: large.load(ordering: .relaxed) - before)
    }

    /// A snapshot of the running totals (for measuring between callbacks of a longer run armed
    /// with ``arm()``); resets the largest request.
    public static func snapshot() -> Profile {
        Profile(
            calls: calls.load(ordering: .relaxed), largestBytes: largest.exchange(0, ordering: .relaxed),
            largeCalls: large.load(ordering: .relaxed))
    }

    /// Starts counting the calling thread's allocations until ``disarm()``.
    public static func arm() {
        armed.store(UInt(pthread_self()), ordering: .relaxed)
    }

    /// Stops counting.
    public static func disarm() {
        armed.store(0, ordering: .relaxed)
    }

    /// The allocator calls one class instance's creation makes (at least 1 when the hooks work):
    /// the control that proves a zero elsewhere is not a blind counter.
    public static func control() -> Int {
        count { _ = Probe() }
    }

    /// Writes `name=count` pairs to the report file named by ``probeVariable`` (child only).
    public static func writeReport(_ counts: [(String, Int)]) throws {
        guard let output = ProcessInfo.processInfo.environment[probeVariable] else { return }
        try counts.map { "\($0.0)=\($0.1)" }.joined(separator: " ").write(toFile: output, atomically: true, encoding: .utf8)
    }

    /// The result of one probe child.
    public struct Report: Sendable {
        /// The child's exit status (0 when its probe test passed).
        public let status: Int32
        /// The counts it reported, by name.
        public let counts: [String: Int]
        /// The report text, for failure messages.
        public let text: String
    }

    /// Re-runs the test bundle with the malloc-debug library preloaded and only the Swift Testing
    /// test named `test` enabled, and returns its report.
    ///
    /// - Precondition: ``unavailableReason`` is `nil`.
    public static func runProbe(test: String) throws -> Report {
        guard let library = debugLibrary else { preconditionFailure(unavailableReason ?? "no malloc-debug library") }
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("hiso-allocation-probe-\(ProcessInfo.processInfo.processIdentifier)-\(test).txt").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", test]
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = library
        environment[probeVariable] = output
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? "(no report: the child wrote none)"
        var counts: [String: Int] = [:]
        for field in text.split(separator: " ") {
            let parts = field.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { counts[String(parts[0])] = n }
        }
        return Report(status: child.terminationStatus, counts: counts, text: text)
    }

    /// The control's allocation.
    private final class Probe {
        var value = 1
    }

    /// Counts one call of `size` bytes if it is on the armed thread.
    fileprivate static func note(_ size: Int) {
        guard armed.load(ordering: .relaxed) == UInt(pthread_self()) else { return }
        calls.add(1, ordering: .relaxed)
        if size > largest.load(ordering: .relaxed) { largest.store(size, ordering: .relaxed) }
        if size >= threshold.load(ordering: .relaxed) { large.add(1, ordering: .relaxed) }
    }
}

nonisolated(unsafe) private var realMalloc: MallocCounter.Malloc?
nonisolated(unsafe) private var realRealloc: MallocCounter.Realloc?
nonisolated(unsafe) private var realMemalign: MallocCounter.Memalign?
private let armed = Atomic<UInt>(0)
private let calls = Atomic<Int>(0)
private let largest = Atomic<Int>(0)
private let large = Atomic<Int>(0)
private let threshold = Atomic<Int>(.max)

private func countingMalloc(_ size: Int, _ caller: UnsafeRawPointer?) -> UnsafeMutableRawPointer? {
    MallocCounter.note(size)
    return realMalloc!(size, caller)
}

private func countingRealloc(
    _ p: UnsafeMutableRawPointer?, _ size: Int, _ caller: UnsafeRawPointer?
) -> UnsafeMutableRawPointer? {
    MallocCounter.note(size)
    return realRealloc!(p, size, caller)
}

private func countingMemalign(_ alignment: Int, _ size: Int, _ caller: UnsafeRawPointer?) -> UnsafeMutableRawPointer? {
    MallocCounter.note(size)
    return realMemalign!(alignment, size, caller)
}
#endif
