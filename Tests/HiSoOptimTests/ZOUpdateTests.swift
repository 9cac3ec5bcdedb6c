import HiSoKernels
import HiSoTestSupport
import Testing

@testable import HiSoOptim

@Suite("ZOUpdate")
struct ZOUpdateTests {
    @Test("apply = x - lr (1/P) sum_p g_p s z_p, and uses the coefficients -(lr g_p)/P bit for bit")
    func apply() throws {
        for backend in OptimTestFixtures.backends {
            let d = 40
            let x0 = OptimTestFixtures.normals(d, seed: 1, stream: 7, backend: backend)
            let s = (0..<d).map { Float(0.5) + Float($0) / 20 }
            let g: [Float] = [0.3, -1.2, 2.5, 0.01]
            let lr: Float = 0.07
            var x = x0
            x.withUnsafeMutableBufferPointer { xb in
                s.withUnsafeBufferPointer { sb in
                    g.withUnsafeBufferPointer { ZOUpdate.apply(to: xb, scalars: $0, scale: sb, seed: 123, learningRate: lr, backend: backend) }
                }
            }
            var reference = x0
            for p in 0..<g.count {
                let z = OptimTestFixtures.normals(d, seed: 123, stream: UInt64(p), backend: backend)
                for i in 0..<d { reference[i] -= lr * g[p] / Float(g.count) * s[i] * z[i] }
            }
            #expect(maxRelativeDifference(x, reference, floor: 1e-3) < 1e-5)

            var viaKernel = x0
            let c = g.map { -(lr * $0) / Float(g.count) }
            viaKernel.withUnsafeMutableBufferPointer { xb in
                s.withUnsafeBufferPointer { sb in
                    c.withUnsafeBufferPointer { backend.accumulate(xb, coefficients: $0, scale: sb, seed: 123, offset: 0) }
                }
            }
            #expect(viaKernel.map(\.bitPattern) == x.map(\.bitPattern))
        }
    }
}
