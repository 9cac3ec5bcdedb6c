#if os(Linux)
import Foundation
import HiSoTestSupport
import Testing
@testable import HiSoKernels

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
        let (status, report, counts) = try MallocCounter.runProbe(filter: "allocationProbeInChildProcess")
        #expect(status == 0)
        #expect((counts["control"] ?? 0) >= 1, "the hook must see a class allocation: \(report)")
        for kind in Kernels.compiledBackends {
            #expect(counts[kind.rawValue] == 0, "\(report)")
        }
    }
}
#endif
