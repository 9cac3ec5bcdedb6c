#if os(Linux)
import Foundation
import Glibc
import Synchronization
import Testing
@testable import HiSoKernels

/// Counts the `malloc`, `realloc` and `memalign` calls one thread makes, through glibc's
/// allocation hooks. The hooks only exist when `libc_malloc_debug.so` is preloaded, so the
/// counting runs in a child process (the test bundle itself, re-run with `LD_PRELOAD`).
enum MallocCounter {
    /// glibc's debugging allocator, which honours `__malloc_hook` and friends.
    static let debugLibrary = "/lib/x86_64-linux-gnu/libc_malloc_debug.so.0"
    /// The environment variable that enables the probe and names its output file.
    static let probeVariable = "HISO_ALLOCATION_PROBE_OUTPUT"

    typealias Malloc = @convention(c) (Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
    typealias Realloc = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
    typealias Memalign = @convention(c) (Int, Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?

    /// Installs counting hooks that forward to glibc's own allocator; false if the hooks are absent.
    static func install() -> Bool {
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
    static func count(_ body: () -> Void) -> Int {
        let before = calls.load(ordering: .relaxed)
        armed.store(UInt(pthread_self()), ordering: .relaxed)
        body()
        armed.store(0, ordering: .relaxed)
        return calls.load(ordering: .relaxed) - before
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

/// The fused kernels and steps make no heap allocation per call (after a first call, which may
/// initialise globals such as the CPU check), on one thread.
@Suite("Fused kernels allocate nothing")
struct FusedAllocationTests {
    final class Probe {
        var value = 1
    }

    /// The workload: every fused step mode and every stream kernel, on one thread, per backend.
    /// Returns "control=<n> <backend>=<n> ..." (allocator calls per backend after a warm-up).
    static func measure() throws -> String {
        let count = 10_000
        let xb = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let hb = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let sb = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let cb = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4)
        defer { for buffer in [xb, hb, sb, cb] { buffer.deallocate() } }
        xb.initialize(repeating: 0.5)
        hb.initialize(repeating: 1)
        sb.initialize(repeating: 1)
        _ = cb.initialize(from: [0.5, -0.25, 1.0, 0.125])
        var report = "control=\(MallocCounter.count { _ = Probe() })"
        for kind in Kernels.compiledBackends {
            let backend = try Kernels.backend(kind, threads: 1)
            let cached = FusedZOStep(backend: backend, dimension: count, mode: .cached)
            let regenerating = FusedZOStep(backend: backend, dimension: count, mode: .regenerate)
            // No `for step in [...]` here: iterating an array allocates in debug builds.
            let work = {
                _ = cached.step(xb, scale: UnsafeBufferPointer(sb), seed: 3, stream: 1, mu: 1e-3, learningRate: 1e-3) { $0[0] }
                _ = regenerating.step(xb, scale: nil, seed: 3, stream: 1, mu: 1e-3, learningRate: 1e-3) { $0[0] }
                _ = cached.hisoStep(
                    xb, hessian: hb, scale: sb, seed: 3, stream: 2, mu: 1e-3, learningRate: 1e-3, beta: 0.9,
                    floor: 1e-8, difference: .forward) { $0[1] }
                _ = regenerating.hisoStep(
                    xb, hessian: hb, scale: sb, seed: 3, stream: 2, mu: 1e-3, learningRate: 1e-3, beta: 0.9,
                    floor: nil) { $0[1] }
                backend.fillNormal(xb, seed: 1, stream: 2, offset: 3)
                backend.perturb(xb, alpha: 0.1, scale: nil, seed: 1, stream: 2, offset: 5)
                backend.accumulate(xb, coefficients: UnsafeBufferPointer(cb), scale: UnsafeBufferPointer(sb), seed: 1, offset: 0)
                backend.hessianEMA(
                    hb, scale: UnsafeBufferPointer(sb), coefficients: UnsafeBufferPointer(cb), seed: 1, beta: 0.9, offset: 0)
                backend.hessianPaperUpdate(
                    hb, scale: UnsafeBufferPointer(sb), coefficients: UnsafeBufferPointer(cb), clients: 2, seed: 1, nu: 0.1,
                    epsilon: 1e-8, offset: 0)
                backend.refreshScale(sb, from: UnsafeBufferPointer(hb), floor: 1e-8)
            }
            work()
            report += " \(kind)=\(MallocCounter.count(work))"
        }
        return report
    }

    /// Runs in the child process only: installs the hooks, measures, writes the report.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[MallocCounter.probeVariable] != nil))
    func allocationProbeInChildProcess() throws {
        let output = try #require(ProcessInfo.processInfo.environment[MallocCounter.probeVariable])
        #expect(MallocCounter.install())
        try Self.measure().write(toFile: output, atomically: true, encoding: .utf8)
    }

    @Test(
        "one-thread steps and kernels make no malloc call per call (child process with glibc's malloc hooks)",
        .enabled(if: FileManager.default.fileExists(atPath: MallocCounter.debugLibrary)
            && ProcessInfo.processInfo.environment[MallocCounter.probeVariable] == nil))
    func noMallocPerStep() throws {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("hiso-allocation-probe-\(ProcessInfo.processInfo.processIdentifier).txt").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "allocationProbeInChildProcess"]
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = MallocCounter.debugLibrary
        environment[MallocCounter.probeVariable] = output
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
        let report = try String(contentsOfFile: output, encoding: .utf8)
        var counts: [String: Int] = [:]
        for field in report.split(separator: " ") {
            let parts = field.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { counts[String(parts[0])] = n }
        }
        #expect((counts["control"] ?? 0) >= 1, "the hook must see a class allocation: \(report)")
        for kind in Kernels.compiledBackends {
            #expect(counts[kind.rawValue] == 0, "\(report)")
        }
    }
}
#endif
