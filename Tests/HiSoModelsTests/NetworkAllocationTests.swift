#if os(Linux)
import Foundation
import HiSoKernels
import HiSoModels
import HiSoTestSupport
import Testing

/// The zeroth-order evaluation path allocates nothing per call: a perturbed copy of the
/// parameters (`x + mu z` into a scratch vector) and `Network.loss` on it, for the MLP, the
/// digits-style CNN and CNN_MNIST (the convolution lowerings, pooling and the fused epilogues),
/// on one thread per backend.
@Suite("Network.loss allocates nothing")
struct NetworkAllocationTests {
    /// Allocator calls of one perturbed copy plus one loss, per network and backend, after a warm-up.
    static func measure() throws -> [(String, Int)] {
        let networks: [(String, Network)] = [
            ("mlp", try .mlp(widths: [64, 32, 10])),
            ("cnn", try Network(
                name: "cnn", inputShape: TensorShape(channels: 1, height: 8, width: 8),
                layers: [
                    .conv2d(inChannels: 1, outChannels: 8, kernel: 3, padding: 1), .relu, .maxPool2d(kernel: 2),
                    .flatten, .linear(inputs: 128, outputs: 10),
                ])),
            ("cnn_mnist", try .cnnMNIST()),
        ]
        let batch = 8
        var report = [("control", MallocCounter.control())]
        for kind in Kernels.compiledBackends {
            let backend = try Kernels.backend(kind, threads: 1)
            for (name, network) in networks {
                let x = network.initialParameters(seed: 1)
                let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: network.parameterCount)
                let inputs = (0..<(batch * network.inputShape.count)).map { Float($0 % 17) / 17 }
                let labels = (0..<batch).map { Int32($0 % network.classCount) }
                defer { scratch.deallocate() }
                let workspace = try network.makeWorkspace(batchSize: batch)
                var loss: Float = 0
                try x.withUnsafeBufferPointer { xp in
                    try inputs.withUnsafeBufferPointer { ip in
                        try labels.withUnsafeBufferPointer { lp in
                            let work = { () throws(ModelError) in
                                backend.perturbed(xp, into: scratch, alpha: 1e-3, scale: nil, seed: 5, stream: 1, offset: 0)
                                loss += try network.loss(
                                    parameters: UnsafeBufferPointer(scratch), inputs: ip, labels: lp, count: batch,
                                    workspace: workspace, backend: backend)
                            }
                            try work()
                            report.append(("\(kind.rawValue)/\(name)", try MallocCounter.count(work)))
                        }
                    }
                }
                #expect(loss.isFinite)
            }
        }
        return report
    }

    /// Runs in the child process only: installs the hooks, measures, writes the report.
    @Test(.enabled(if: MallocCounter.isProbeChild))
    func networkAllocationProbeInChildProcess() throws {
        #expect(MallocCounter.install())
        try MallocCounter.writeReport(Self.measure())
    }

    @Test(
        "a perturbed copy and Network.loss make no malloc call per call (child process with glibc's malloc hooks)",
        .enabled(if: MallocCounter.unavailableReason == nil && !MallocCounter.isProbeChild, "\(MallocCounter.unavailableReason ?? "")"))
    func noMallocPerLoss() throws {
        let report = try MallocCounter.runProbe(test: "networkAllocationProbeInChildProcess")
        #expect(report.status == 0, "the probe child failed: \(report.text)")
        #expect((report.counts["control"] ?? 0) >= 1, "the hook must see a class allocation: \(report.text)")
        #expect(report.counts.count == 1 + 3 * Kernels.compiledBackends.count, "\(report.text)")
        let limit = try AllocationThresholds.load().perCall("model-loss")
        for (name, calls) in report.counts where name != "control" {
            #expect(calls <= limit, "\(name): \(report.text)")
        }
    }
}
#endif
