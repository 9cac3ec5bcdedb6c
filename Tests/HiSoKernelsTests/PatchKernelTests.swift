import HiSoKernels
import HiSoTestSupport
import Testing

/// The convolution patch gather (im2col) against a plain index loop, on every backend.
@Suite("Patch gather (im2col)")
struct PatchKernelTests {
    /// Geometries: CNN_MNIST's two padded convolutions, rows narrower than 8 lanes, exactly 8,
    /// stride 2, 1 x 5 windows (the kernel-row split of conv2), and a channel-major (`cbhw`) source.
    static let cases: [(name: String, geometry: PatchGeometry, height: Int, samples: Int)] = [
        ("conv1 padded", PatchGeometry(channels: 1, channelStride: 1024, sampleStride: 1024, width: 32, kernel: 5, stride: 1, outHeight: 28, outWidth: 28), 32, 7),
        ("conv2 padded", PatchGeometry(channels: 16, channelStride: 324, sampleStride: 16 * 324, width: 18, kernel: 5, stride: 1, outHeight: 14, outWidth: 14), 18, 3),
        ("narrow rows", PatchGeometry(channels: 2, channelStride: 36, sampleStride: 72, width: 6, kernel: 3, stride: 1, outHeight: 4, outWidth: 4), 6, 5),
        ("8-wide rows", PatchGeometry(channels: 3, channelStride: 100, sampleStride: 300, width: 10, kernel: 3, stride: 1, outHeight: 8, outWidth: 8), 10, 4),
        ("stride 2", PatchGeometry(channels: 2, channelStride: 121, sampleStride: 242, width: 11, kernel: 3, stride: 2, outHeight: 5, outWidth: 5), 11, 3),
        ("one-row windows (kernel-row split)", PatchGeometry(channels: 16, channelStride: 324, sampleStride: 16 * 324, width: 18, kernelHeight: 1, kernelWidth: 5, stride: 1, outHeight: 18, outWidth: 14), 18, 2),
        ("cbhw source", PatchGeometry(channels: 4, channelStride: 5 * 144, sampleStride: 144, width: 12, kernel: 3, stride: 1, outHeight: 10, outWidth: 10), 12, 5),
    ]

    /// `cols[r, (b, i, j)] = source[c, b, i*s + u, j*s + v]`, straight from the definition.
    static func reference(_ g: PatchGeometry, _ source: [Float], samples: Range<Int>) -> [Float] {
        let n = samples.count * g.outPlane
        var cols = [Float](repeating: .nan, count: g.patch * n)
        for c in 0..<g.channels {
            for u in 0..<g.kernelHeight {
                for v in 0..<g.kernelWidth {
                    for b in samples {
                        for i in 0..<g.outHeight {
                            for j in 0..<g.outWidth {
                                let r = (c * g.kernelHeight + u) * g.kernelWidth + v
                                let column = ((b - samples.lowerBound) * g.outHeight + i) * g.outWidth + j
                                cols[r * n + column] = source[
                                    c * g.channelStride + b * g.sampleStride + (i * g.stride + u) * g.width + j * g.stride + v]
                            }
                        }
                    }
                }
            }
        }
        return cols
    }

    @Test("every backend writes exactly the reference columns", arguments: Kernels.compiledBackends)
    func matchesReference(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 1)
        var values = TestValues(seed: 21)
        for item in Self.cases {
            let g = item.geometry
            let length = max(
                (g.channels - 1) * g.channelStride + (item.samples - 1) * g.sampleStride + item.height * g.width,
                g.channelStride * g.channels * item.samples)
            let source = values.uniform(length)
            for samples in [0..<item.samples, 1..<item.samples, (item.samples - 1)..<item.samples] {
                let expected = Self.reference(g, source, samples: samples)
                var cols = [Float](repeating: .infinity, count: expected.count + 8)
                source.withUnsafeBufferPointer { s in
                    cols.withUnsafeMutableBufferPointer { c in
                        backend.gatherPatches(g, source: s.baseAddress!, samples: samples, into: c.baseAddress!)
                    }
                }
                #expect(
                    Array(cols[..<expected.count]).map(\.bitPattern) == expected.map(\.bitPattern),
                    "\(kind) \(item.name) samples \(samples)")
                #expect(cols[expected.count...].allSatisfy { $0 == .infinity }, "\(kind) \(item.name) wrote past the end")
            }
        }
    }
}
