import HiSoKernels
import HiSoTestSupport
import Testing

/// Level-1/2 kernels: dot, nrm2, scal, axpy, gemv.
@Suite("Linear algebra (level 1 and 2)")
struct LinearAlgebraTests {
    /// Lengths: empty, tiny, odd, around the 8- and 32-wide unrolls, large.
    static let lengths = [0, 1, 7, 8, 31, 33, 1000, 4099]

    @Test("dot matches a double reference, at unaligned starts", arguments: Kernels.compiledBackends)
    func dot(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 1)
        var values = TestValues(seed: 11)
        for n in Self.lengths {
            for start in [0, 1, 3] {
                let x = values.uniform(n + start)
                let y = values.uniform(n + start)
                var exact = 0.0
                var scale = 0.0
                for i in start..<(n + start) {
                    exact += Double(x[i]) * Double(y[i])
                    scale += abs(Double(x[i]) * Double(y[i]))
                }
                let got = x.withUnsafeBufferPointer { x in
                    y.withUnsafeBufferPointer { y in
                        backend.dot(UnsafeBufferPointer(rebasing: x[start...]), UnsafeBufferPointer(rebasing: y[start...]))
                    }
                }
                #expect(abs(Double(got) - exact) <= Double(n + 1) * Double(Float.ulpOfOne) * scale, "\(kind) n=\(n) start=\(start)")
            }
        }
    }

    @Test("nrm2 is accurate and neither overflows nor underflows", arguments: Kernels.compiledBackends)
    func nrm2(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 1)
        var values = TestValues(seed: 12)
        for n in Self.lengths {
            for magnitude: Float in [1, 1e30, 1e-30] {
                let x = values.uniform(n).map { $0 * magnitude }
                let exact = x.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                let got = x.withUnsafeBufferPointer { backend.nrm2($0) }
                #expect(got.isFinite, "\(kind) n=\(n) magnitude=\(magnitude)")
                #expect(abs(Double(got) - exact) <= 1e-5 * exact, "\(kind) n=\(n) magnitude=\(magnitude): \(got) vs \(exact)")
            }
        }
    }

    @Test("scal and axpy are bit-identical to their scalar formulas on every backend", arguments: Kernels.compiledBackends)
    func elementwise(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 2)
        var values = TestValues(seed: 13)
        for n in Self.lengths {
            for start in [0, 1] {
                let x = values.uniform(n + start)
                let y = values.uniform(n + start)
                for alpha: Float in [0.3, -2.5, 1] {
                    var scaled = x
                    scaled.withUnsafeMutableBufferPointer { backend.scal(UnsafeMutableBufferPointer(rebasing: $0[start...]), alpha: alpha) }
                    #expect(scaled[start...].elementsEqual(x[start...].map { alpha * $0 }), "\(kind) scal n=\(n)")
                    #expect(scaled[..<start].elementsEqual(x[..<start]))

                    var updated = y
                    x.withUnsafeBufferPointer { x in
                        updated.withUnsafeMutableBufferPointer { y in
                            backend.axpy(UnsafeBufferPointer(rebasing: x[start...]), alpha: alpha, UnsafeMutableBufferPointer(rebasing: y[start...]))
                        }
                    }
                    let expected = zip(x[start...], y[start...]).map { xi, yi in yi + alpha * xi }
                    #expect(updated[start...].elementsEqual(expected), "\(kind) axpy n=\(n) alpha=\(alpha)")
                    #expect(updated[..<start].elementsEqual(y[..<start]))
                }
            }
        }
    }

    @Test("scal by 0 stores +0 even over NaN and infinity", arguments: Kernels.compiledBackends)
    func scalByZero(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 1)
        var x: [Float] = [.nan, .infinity, -3, -0.0, 5, 1, 2, 3, 4]
        x.withUnsafeMutableBufferPointer { backend.scal($0, alpha: 0) }
        #expect(x.allSatisfy { $0 == 0 && $0.sign == .plus })
    }

    @Test("gemv matches a double reference, both orientations", arguments: Kernels.compiledBackends)
    func gemv(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 1)
        var values = TestValues(seed: 14)
        for (m, n) in [(0, 0), (0, 5), (5, 0), (1, 1), (7, 33), (33, 7), (64, 300)] {
            for trans in [false, true] {
                for (alpha, beta): (Float, Float) in [(1, 0), (-0.5, 2), (0, 0.5)] {
                    let lda = n + 2
                    let a = values.uniform(max(1, m * lda))
                    let (inputs, outputs) = trans ? (m, n) : (n, m)
                    let x = values.uniform(max(1, inputs))
                    var y = beta == 0 ? [Float](repeating: .nan, count: max(1, outputs)) : values.uniform(max(1, outputs))
                    let y0 = y
                    a.withUnsafeBufferPointer { a in
                        x.withUnsafeBufferPointer { x in
                            y.withUnsafeMutableBufferPointer { y in
                                backend.gemv(
                                    trans: trans, m: m, n: n, alpha: alpha, a: a.baseAddress!, lda: lda,
                                    x: x.baseAddress!, beta: beta, y: y.baseAddress!)
                            }
                        }
                    }
                    for o in 0..<outputs {
                        var sum = 0.0
                        var scale = 0.0
                        for p in 0..<inputs {
                            let product = Double(trans ? a[p * lda + o] : a[o * lda + p]) * Double(x[p])
                            sum += product
                            scale += abs(product)
                        }
                        let old = beta == 0 ? 0 : Double(beta) * Double(y0[o])
                        let exact = Double(alpha) * sum + old
                        let bound = Double(inputs + 2) * Double(Float.ulpOfOne) * (abs(Double(alpha)) * scale + abs(old)) + 1e-30
                        #expect(abs(Double(y[o]) - exact) <= bound, "\(kind) gemv trans=\(trans) \(m)x\(n) alpha=\(alpha) beta=\(beta) at \(o)")
                    }
                }
            }
        }
    }

    #if OpenBLAS
    @Test("dot and nrm2 agree across backends within 1e-5 relative")
    func crossBackendReductions() throws {
        let swift = try Kernels.backend(.swift, threads: 1)
        let blas = try Kernels.backend(.openblas, threads: 1)
        var values = TestValues(seed: 15)
        for n in Self.lengths where n > 0 {
            let x = values.uniform(n, in: 0, 1)
            let y = values.uniform(n, in: 0, 1)
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    #expect(relativeDifference(swift.dot(x, y), blas.dot(x, y)) <= 1e-5, "dot n=\(n)")
                    #expect(relativeDifference(swift.nrm2(x), blas.nrm2(x)) <= 1e-5, "nrm2 n=\(n)")
                }
            }
        }
    }
    #endif
}
