import HiSoKernels
import Testing

/// A backend written outside the package: it implements the public kernel protocols only (by
/// forwarding to a pure-Swift backend), so it cannot opt into the fused single-direction passes.
struct ForeignBackend: KernelBackend {
    let inner = SwiftBackend(threads: 1)
    var kind: BackendKind { .swift }
    var threads: Int { 1 }

    func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, seed: UInt64, stream: UInt64, offset: Int) {
        inner.fillNormal(out, seed: seed, stream: stream, offset: offset)
    }

    func perturb(
        _ x: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?, seed: UInt64,
        stream: UInt64, offset: Int
    ) {
        inner.perturb(x, alpha: alpha, scale: scale, seed: seed, stream: stream, offset: offset)
    }

    func perturbed(
        _ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>, alpha: Float,
        scale: UnsafeBufferPointer<Float>?, seed: UInt64, stream: UInt64, offset: Int
    ) {
        inner.perturbed(x, into: out, alpha: alpha, scale: scale, seed: seed, stream: stream, offset: offset)
    }

    func accumulate(
        _ x: UnsafeMutableBufferPointer<Float>, coefficients: UnsafeBufferPointer<Float>,
        scale: UnsafeBufferPointer<Float>?, seed: UInt64, offset: Int
    ) {
        inner.accumulate(x, coefficients: coefficients, scale: scale, seed: seed, offset: offset)
    }

    func hessianEMA(
        _ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, seed: UInt64, beta: Float, offset: Int
    ) {
        inner.hessianEMA(h, scale: scale, coefficients: coefficients, seed: seed, beta: beta, offset: offset)
    }

    func hessianPaperUpdate(
        _ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, clients: Int, seed: UInt64, nu: Float, epsilon: Float, offset: Int
    ) {
        inner.hessianPaperUpdate(
            h, scale: scale, coefficients: coefficients, clients: clients, seed: seed, nu: nu, epsilon: epsilon,
            offset: offset)
    }

    func refreshScale(_ s: UnsafeMutableBufferPointer<Float>, from h: UnsafeBufferPointer<Float>, floor: Float) {
        inner.refreshScale(s, from: h, floor: floor)
    }

    func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        inner.gemm(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta,
            c: c, ldc: ldc)
    }

    func gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
        beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        inner.gemv(trans: trans, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta, y: y)
    }

    func dot(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Float { inner.dot(x, y) }

    func nrm2(_ x: UnsafeBufferPointer<Float>) -> Float { inner.nrm2(x) }

    func scal(_ x: UnsafeMutableBufferPointer<Float>, alpha: Float) { inner.scal(x, alpha: alpha) }

    func axpy(_ x: UnsafeBufferPointer<Float>, alpha: Float, _ y: UnsafeMutableBufferPointer<Float>) {
        inner.axpy(x, alpha: alpha, y)
    }

    func qr(
        m: Int, n: Int, a: UnsafePointer<Float>, lda: Int, q: UnsafeMutablePointer<Float>, ldq: Int,
        r: UnsafeMutablePointer<Float>?, ldr: Int
    ) {
        inner.qr(m: m, n: n, a: a, lda: lda, q: q, ldq: ldq, r: r, ldr: ldr)
    }

    func gatherPatches(
        _ geometry: PatchGeometry, source: UnsafePointer<Float>, samples: Range<Int>, into cols: UnsafeMutablePointer<Float>
    ) {
        inner.gatherPatches(geometry, source: source, samples: samples, into: cols)
    }
}

/// ``FusedZOStep`` runs on a backend defined outside the package (composing its public kernels)
/// and gives the bits of the package's fused passes.
@Suite("Fused ZO step on a foreign backend")
struct ForeignBackendTests {
    static let loss = FusedZOStepTests.loss

    /// One HiSo step of `step` on `(x, h, s)`.
    static func hiso(
        _ step: borrowing FusedZOStep, _ x: inout [Float], _ h: inout [Float], _ s: inout [Float], stream: UInt64,
        floor: Float?, scheme: DifferenceScheme
    ) -> FusedZOStep.Outcome {
        x.withUnsafeMutableBufferPointer { xb in
            h.withUnsafeMutableBufferPointer { hb in
                s.withUnsafeMutableBufferPointer { sb in
                    step.hisoStep(
                        xb, hessian: hb, scale: sb, seed: 5, stream: stream, mu: 1e-2, learningRate: 0.05, beta: 0.9,
                        floor: floor, difference: scheme, loss: loss)
                }
            }
        }
    }

    @Test("plain and HiSo steps and estimates equal the fused passes", arguments: DifferenceScheme.allCases)
    func sameBitsAsFused(scheme: DifferenceScheme) {
        let count = 5_003
        let foreign = FusedZOStep(backend: ForeignBackend(), dimension: count)
        let fused = FusedZOStep(backend: SwiftBackend(threads: 1), dimension: count)
        #expect(!foreign.isFused && fused.isFused)
        let x0 = (0..<count).map { Float(($0 * 37) % 101) / 50 - 1 }
        let s0 = (0..<count).map { 0.5 + Float(($0 * 13) % 7) / 7 }
        for stream: UInt64 in [0, 3] {
            var a = x0, b = x0
            for scale in [nil, s0] {
                let ga = a.withUnsafeMutableBufferPointer { x in
                    scale.map { s in s.withUnsafeBufferPointer { sb in
                        foreign.step(x, scale: sb, seed: 9, stream: stream, mu: 1e-2, learningRate: 0.1, difference: scheme, loss: Self.loss)
                    } } ?? foreign.step(x, scale: nil, seed: 9, stream: stream, mu: 1e-2, learningRate: 0.1, difference: scheme, loss: Self.loss)
                }
                let gb = b.withUnsafeMutableBufferPointer { x in
                    scale.map { s in s.withUnsafeBufferPointer { sb in
                        fused.step(x, scale: sb, seed: 9, stream: stream, mu: 1e-2, learningRate: 0.1, difference: scheme, loss: Self.loss)
                    } } ?? fused.step(x, scale: nil, seed: 9, stream: stream, mu: 1e-2, learningRate: 0.1, difference: scheme, loss: Self.loss)
                }
                #expect(ga == gb)
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "step, stream \(stream), scaled \(scale != nil)")
            }
            var (ha, hb) = ([Float](repeating: 1, count: count), [Float](repeating: 1, count: count))
            var (sa, sb) = (s0, s0)
            for floor: Float? in [nil, 1e-6] {
                let oa = Self.hiso(foreign, &a, &ha, &sa, stream: stream, floor: floor, scheme: scheme)
                let ob = Self.hiso(fused, &b, &hb, &sb, stream: stream, floor: floor, scheme: scheme)
                #expect(oa == ob)
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "HiSo step x, floor \(String(describing: floor))")
                #expect(ha.map(\.bitPattern) == hb.map(\.bitPattern), "HiSo step h")
                #expect(sa.map(\.bitPattern) == sb.map(\.bitPattern), "HiSo step s")
            }
        }
        var (ga, gb) = ([Float](repeating: 0, count: 4), [Float](repeating: 0, count: 4))
        let va = x0.withUnsafeBufferPointer { x in
            ga.withUnsafeMutableBufferPointer { foreign.estimate(at: x, scale: nil, seed: 2, mu: 1e-3, scheme: scheme, scalars: $0, loss: Self.loss) }
        }
        let vb = x0.withUnsafeBufferPointer { x in
            gb.withUnsafeMutableBufferPointer { fused.estimate(at: x, scale: nil, seed: 2, mu: 1e-3, scheme: scheme, scalars: $0, loss: Self.loss) }
        }
        #expect(va.bitPattern == vb.bitPattern && ga.map(\.bitPattern) == gb.map(\.bitPattern))
    }
}
