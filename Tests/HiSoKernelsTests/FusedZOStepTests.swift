import Testing
@testable import HiSoKernels

/// ``FusedZOStep`` against the public kernels composed one after another, in both direction modes.
@Suite("Fused ZO step")
struct FusedZOStepTests {
    /// A loss that depends on every parameter: `sum_i w_i x_i^2 / 2` with fixed weights.
    static func loss(_ x: UnsafeBufferPointer<Float>) -> Float {
        var sum: Float = 0
        for i in x.indices { sum += Float(i % 5 + 1) * x[i] * x[i] * 0.5 }
        return sum
    }

    /// Coefficients that put `c` on stream `p` and 0 on the streams before it (whose zero terms
    /// leave the sum's bits unchanged: `0 + 0 * z = 0`).
    static func onStream(_ c: Float, _ p: UInt64) -> [Float] {
        var coefficients = [Float](repeating: 0, count: Int(p) + 1)
        coefficients[Int(p)] = c
        return coefficients
    }

    static func backends() -> [any KernelBackend] {
        Kernels.compiledBackends.flatMap { kind in [1, 2].map { try! Kernels.backend(kind, threads: $0) } }
    }

    @Test("central and forward steps equal perturb, perturb, accumulate", arguments: [DifferenceScheme.central, .forward])
    func stepMatchesComposition(difference: DifferenceScheme) {
        let (seed, stream, mu, eta): (UInt64, UInt64, Float, Float) = (77, 3, 1e-2, 0.05)
        for count in [1, 7, 4_099, 66_001] {
            let x0 = testVector(count, seed: 11), s = testVector(count, seed: 12).map { abs($0) + 0.5 }
            for scale in [nil, s] {
                // The composition, on the reference backend.
                let reference = SwiftBackend(threads: 1)
                var expected = x0
                let g: Float = expected.withUnsafeMutableBufferPointer { x in
                    scale.withOptionalBuffer { sb in
                        let f0 = Self.loss(UnsafeBufferPointer(x))
                        reference.perturb(x, alpha: mu, scale: sb, seed: seed, stream: stream, offset: 0)
                        let plus = Self.loss(UnsafeBufferPointer(x))
                        let g: Float
                        let c: Float
                        if difference == .central {
                            reference.perturb(x, alpha: -2 * mu, scale: sb, seed: seed, stream: stream, offset: 0)
                            g = (plus - Self.loss(UnsafeBufferPointer(x))) / (2 * mu)
                            c = mu - eta * g
                        } else {
                            g = (plus - f0) / mu
                            c = -mu - eta * g
                        }
                        Self.onStream(c, stream).withUnsafeBufferPointer {
                            reference.accumulate(x, coefficients: $0, scale: sb, seed: seed, offset: 0)
                        }
                        return g
                    }
                }
                for backend in Self.backends() {
                    for mode in FusedZOStep.DirectionMode.allCases {
                        let step = FusedZOStep(backend: backend, dimension: count, mode: mode)
                        var x = x0
                        let outcome = x.withUnsafeMutableBufferPointer { xb in
                            scale.withOptionalBuffer { sb in
                                step.step(
                                    xb, scale: sb, seed: seed, stream: stream, mu: mu, learningRate: eta,
                                    difference: difference, loss: Self.loss)
                            }
                        }
                        let label = "\(backend.kind)/\(backend.threads) \(mode) n=\(count) scaled=\(scale != nil)"
                        #expect(outcome.projectedGradient.bitPattern == g.bitPattern, "\(label)")
                        #expect(bits(x) == bits(expected), "\(label)")
                    }
                }
            }
        }
    }

    @Test("the HiSo step equals accumulate, hessianEMA and refreshScale in sequence")
    func hisoMatchesComposition() {
        let (seed, stream, mu, eta, beta): (UInt64, UInt64, Float, Float, Float) = (5, 9, 1e-2, 0.1, 0.95)
        for count in [7, 66_001] {
            let x0 = testVector(count, seed: 13), h0 = testVector(count, seed: 14).map { abs($0) + 0.1 }
            for floor: Float? in [nil, 1e-6] {
                let reference = SwiftBackend(threads: 1)
                var s0 = [Float](repeating: 0, count: count)
                s0.withUnsafeMutableBufferPointer { sb in h0.withUnsafeBufferPointer { reference.refreshScale(sb, from: $0, floor: 0) } }
                var (ex, eh, es) = (x0, h0, s0)
                ex.withUnsafeMutableBufferPointer { x in
                    eh.withUnsafeMutableBufferPointer { h in
                        es.withUnsafeMutableBufferPointer { s in
                            let sb = UnsafeBufferPointer(s)
                            reference.perturb(x, alpha: mu, scale: sb, seed: seed, stream: stream, offset: 0)
                            let plus = Self.loss(UnsafeBufferPointer(x))
                            reference.perturb(x, alpha: -2 * mu, scale: sb, seed: seed, stream: stream, offset: 0)
                            let g = (plus - Self.loss(UnsafeBufferPointer(x))) / (2 * mu)
                            Self.onStream(mu - eta * g, stream).withUnsafeBufferPointer {
                                reference.accumulate(x, coefficients: $0, scale: sb, seed: seed, offset: 0)
                            }
                            Self.onStream(g, stream).withUnsafeBufferPointer {
                                reference.hessianEMA(h, scale: sb, coefficients: $0, seed: seed, beta: beta, offset: 0)
                            }
                            if let floor { reference.refreshScale(s, from: UnsafeBufferPointer(h), floor: floor) }
                        }
                    }
                }
                for backend in Self.backends() {
                    for mode in FusedZOStep.DirectionMode.allCases {
                        let step = FusedZOStep(backend: backend, dimension: count, mode: mode)
                        var (x, h, s) = (x0, h0, s0)
                        x.withUnsafeMutableBufferPointer { xb in
                            h.withUnsafeMutableBufferPointer { hb in
                                s.withUnsafeMutableBufferPointer { sb in
                                    _ = step.hisoStep(
                                        xb, hessian: hb, scale: sb, seed: seed, stream: stream, mu: mu, learningRate: eta,
                                        beta: beta, floor: floor, loss: Self.loss)
                                }
                            }
                        }
                        let label = "\(backend.kind)/\(backend.threads) \(mode) n=\(count) floor=\(String(describing: floor))"
                        #expect(bits(x) == bits(ex), "x \(label)")
                        #expect(bits(h) == bits(eh), "h \(label)")
                        #expect(bits(s) == bits(es), "s \(label)")
                    }
                }
            }
        }
    }

    @Test("the estimate tracks the directional derivative on a quadratic")
    func estimateIsADerivative() {
        let count = 1_000
        let x0 = testVector(count, seed: 15)
        let step = FusedZOStep(backend: SwiftBackend(), dimension: count)
        var x = x0
        let outcome = x.withUnsafeMutableBufferPointer {
            step.step($0, scale: nil, seed: 1, stream: 2, mu: 1e-3, learningRate: 0, loss: Self.loss)
        }
        let z = referenceNormals(count, seed: 1, stream: 2, offset: 0)
        var exact = 0.0
        for i in 0..<count {
            let weight = Double(i % 5 + 1)
            exact += weight * Double(x0[i]) * Double(z[i])
        }
        #expect(abs(Double(outcome.projectedGradient) - exact) < 0.02 * abs(exact) + 0.5)
        #expect(zip(x, x0).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}

extension Optional where Wrapped == [Float] {
    /// Runs `body` with a buffer pointer to the array, or `nil`.
    func withOptionalBuffer<R>(_ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
        switch self {
        case .some(let array): return array.withUnsafeBufferPointer { body($0) }
        case .none: return body(nil)
        }
    }
}
