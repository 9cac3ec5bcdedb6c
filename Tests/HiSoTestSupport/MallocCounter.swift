#if os(Linux)
import Foundation
import Glibc
import Synchronization

/// Counts the `malloc`, `realloc` and `memalign` calls one thread makes, through glibc's
/// allocation hooks. The hooks only exist when `libc_malloc_debug.so` is preloaded, so the
/// counting runs in a child process (the test bundle itself, re-run with `LD_PRELOAD`).
public enum MallocCounter {
    /// glibc's debugging allocator, which honours `__malloc_hook` and friends.
    public static let debugLibrary = "/lib/x86_64-linux-gnu/libc_malloc_debug.so.0"
    /// The environment variable that enables the probe and names its output file.
    public static let probeVariable = "HISO_ALLOCATION_PROBE_OUTPUT"

    public typealias Malloc = @convention(c) (Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
    public typealias Realloc = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
    public typealias Memalign = @convention(c) (Int, Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?

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
        mallocHook.assumingMemoryBound(to: Malloc?.self).pointee = countingMalloc
        reallocHook.assumingMemoryBound(to: Realloc?.self).pointee = countingRealloc
        memalignHook.assumingMemoryBound(to: Memalign?.self).pointee = countingMemalign
        return true
    }

    /// The allocator calls `body` makes on the calling thread.
    public static func count(_ body: () -> Void) -> Int {
        let before = calls.load(ordering: .relaxed)
        armed.store(UInt(pthread_self()), ordering: .relaxed)
        body()
        armed.store(0, ordering: .relaxed)
        return calls.load(ordering: .relaxed) - before
    }

    /// Re-runs the test bundle with glibc's debugging allocator preloaded, running only the tests
    /// matching `filter`, which (seeing ``probeVariable``) install the hooks and write a report of
    /// `name=count` fields to the file it names.
    ///
    /// - Returns: the child's exit status, its report and the report's counts by name.
    public static func runProbe(filter: String) throws -> (status: Int32, report: String, counts: [String: Int]) {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("hiso-allocation-probe-\(ProcessInfo.processInfo.processIdentifier)-\(filter).txt").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", filter]
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = debugLibrary
        environment[probeVariable] = output
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        let report = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        var counts: [String: Int] = [:]
        for field in report.split(separator: " ") {
            let parts = field.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { counts[String(parts[0])] = n }
        }
        return (child.terminationStatus, report, counts)
    }

    /// Counts one call if it is on the armed thread.
    static func note() {
        if armed.load(ordering: .relaxed) == UInt(pthread_self()) { calls.add(1, ordering: .relaxed) }
    }
}

nonisolated(unsafe) private var realMalloc: MallocCounter.Malloc?
nonisolated(unsafe) private var realRealloc: MallocCounter.Realloc?
nonisolated(unsafe) private var realMemalign: MallocCounter.Memalign?
private let armed = Atomic<UInt>(0)
private let calls = Atomic<Int>(0)

private func countingMalloc(_ size: Int, _ caller: UnsafeRawPointer?) -> UnsafeMutableRawPointer? {
    MallocCounter.note()
    return realMalloc!(size, caller)
}

private func countingRealloc(
    _ p: UnsafeMutableRawPointer?, _ size: Int, _ caller: UnsafeRawPointer?
) -> UnsafeMutableRawPointer? {
    MallocCounter.note()
    return realRealloc!(p, size, caller)
}

private func countingMemalign(_ alignment: Int, _ size: Int, _ caller: UnsafeRawPointer?) -> UnsafeMutableRawPointer? {
    MallocCounter.note()
    return realMemalign!(alignment, size, caller)
}
#endif
