#if os(Linux)
import Foundation
import HiSoTestSupport
import Testing
@testable import HiSoKernels

/// The fused kernels and steps, the perturbed copy and the patch gather make no heap allocation
/// per call (after a first call, which may initialise globals such as the CPU check), on one thread.
@Suite("Fused kernels allocate nothing")
struct FusedAllocationTests {
    /// The workload: every fused step mode, every stream kernel (`perturbed` included) and the
    /// patch gather (square and kernel-row windows), on one thread, per backend.
    /// Returns the allocator calls per backend after a warm-up, beside the control.
    static func measure() throws -> [(String, Int)] {
        let count = 10_000
        let xb = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let hb = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let sb = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let ob = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        let cb = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4)
        let square = PatchGeometry(
            channels: 3, channelStride: 144, sampleStride: 432, width: 12, kernel: 3, stride: 1, outHeight: 10, outWidth: 10)
        let row = PatchGeometry(
            channels: 3, channelStride: 144, sampleStride: 432, width: 12, kernelHeight: 1, kernelWidth: 5, stride: 1,
            outHeight: 12, outWidth: 8)
        let planes = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * 432)
        let cols = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * max(square.patch * square.outPlane, row.patch * row.outPlane))
        defer { for buffer in [xb, hb, sb, ob, cb, planes, cols] { buffer.deallocate() } }
        xb.initialize(repeating: 0.5)
        hb.initialize(repeating: 1)
        sb.initialize(repeating: 1)
        ob.initialize(repeating: 0)
        planes.initialize(repeating: 0.25)
        cols.initialize(repeating: 0)
        _ = cb.initialize(from: [0.5, -0.25, 1.0, 0.125])
        var report = [("control", MallocCounter.control())]
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
                backend.perturbed(UnsafeBufferPointer(xb), into: ob, alpha: 1e-3, scale: UnsafeBufferPointer(sb), seed: 1, stream: 2, offset: 0)
                backend.perturbed(UnsafeBufferPointer(xb), into: ob, alpha: -1e-3, scale: nil, seed: 1, stream: 2, offset: 7)
                backend.gatherPatches(square, source: planes.baseAddress!, samples: 0..<2, into: cols.baseAddress!)
                backend.gatherPatches(row, source: planes.baseAddress!, samples: 1..<2, into: cols.baseAddress!)
            }
            work()
            report.append((kind.rawValue, MallocCounter.count(work)))
        }
        return report
    }

    /// Runs in the child process only: installs the hooks, measures, writes the report.
    @Test(.enabled(if: MallocCounter.isProbeChild))
    func allocationProbeInChildProcess() throws {
        #expect(MallocCounter.install())
        try MallocCounter.writeReport(Self.measure())
    }

    @Test(
        "one-thread steps, kernels, perturbed copies and patch gathers make no malloc call per call (child process with glibc's malloc hooks)",
        .enabled(if: MallocCounter.unavailableReason == nil && !MallocCounter.isProbeChild, "\(MallocCounter.unavailableReason ?? "")"))
    func noMallocPerStep() throws {
        let report = try MallocCounter.runProbe(test: "allocationProbeInChildProcess")
        #expect(report.status == 0, "the probe child failed: \(report.text)")
        #expect((report.counts["control"] ?? 0) >= 1, "the hook must see a class allocation: \(report.text)")
        let limit = try AllocationThresholds.load().perCall("fused-step-and-stream-kernels")
        for kind in Kernels.compiledBackends {
            #expect((report.counts[kind.rawValue] ?? .max) <= limit, "\(report.text)")
        }
    }
}
#endif
