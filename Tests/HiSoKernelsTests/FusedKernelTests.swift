import Testing
import HiSoTestSupport
@testable import HiSoKernels

/// Each fused kernel against a literal per-element reference (same Float32 formula, element by
/// element through ``PerturbationStream``: bitwise equal) and against Float64 (approximately),
/// on every variant, with odd sizes and unaligned offsets.
@Suite("Fused ZO kernels")
struct FusedKernelTests {
    static let cases: [(count: Int, offset: Int)] = [(0, 0), (1, 3), (7, 1), (1_033, 6), (66_003, 2)]
    static let seed: UInt64 = 0x5EED

    @Test("perturb and perturbed, with and without scale")
    func perturb() {
        for (count, offset) in Self.cases {
            let x0 = testVector(count, seed: 1), s = testVector(count, seed: 2).map { abs($0) + 0.25 }
            let z = referenceNormals(count, seed: Self.seed, stream: 4, offset: offset)
            let alpha: Float = -0.37
            let scaled = (0..<count).map { x0[$0] + (alpha * s[$0]) * z[$0] }
            let plain = (0..<count).map { x0[$0] + alpha * z[$0] }
            let wide = (0..<count).map { Double(x0[$0]) + Double(alpha) * Double(s[$0]) * Double(z[$0]) }
            let terms = (0..<count).map { abs(Double(x0[$0])) + abs(Double(alpha) * Double(s[$0]) * Double(z[$0])) }
            #expect(maxTermRelativeError(scaled, wide, terms: terms) < 2e-7)
            for (name, k) in streamKernelVariants() {
                var x = x0
                x.withUnsafeMutableBufferPointer { xb in
                    s.withUnsafeBufferPointer { k.perturb(xb, alpha: alpha, scale: $0, seed: Self.seed, stream: 4, offset: offset) }
                }
                #expect(bits(x) == bits(scaled), "\(name) perturb scaled n=\(count)")
                x = x0
                x.withUnsafeMutableBufferPointer { k.perturb($0, alpha: alpha, scale: nil, seed: Self.seed, stream: 4, offset: offset) }
                #expect(bits(x) == bits(plain), "\(name) perturb n=\(count)")
                var out = [Float](repeating: .nan, count: count)
                x0.withUnsafeBufferPointer { xb in
                    out.withUnsafeMutableBufferPointer { ob in
                        s.withUnsafeBufferPointer {
                            k.perturbed(xb, into: ob, alpha: alpha, scale: $0, seed: Self.seed, stream: 4, offset: offset)
                        }
                    }
                }
                #expect(bits(out) == bits(scaled), "\(name) perturbed n=\(count)")
            }
        }
    }

    @Test("accumulate over P streams, with and without scale")
    func accumulate() {
        let coefficients: [Float] = [0.5, -1.25, 0, 3.0e-3, -0.75]
        for (count, offset) in Self.cases {
            let x0 = testVector(count, seed: 3), s = testVector(count, seed: 4).map { abs($0) + 0.25 }
            let zs = coefficients.indices.map { referenceNormals(count, seed: Self.seed, stream: UInt64($0), offset: offset) }
            var acc = [Float](repeating: 0, count: count)
            for p in coefficients.indices { for i in 0..<count { acc[i] = acc[i] + coefficients[p] * zs[p][i] } }
            let scaled = (0..<count).map { x0[$0] + s[$0] * acc[$0] }
            let plain = (0..<count).map { x0[$0] + acc[$0] }
            let wide = (0..<count).map { i in
                Double(x0[i]) + Double(s[i]) * coefficients.indices.reduce(0.0) { $0 + Double(coefficients[$1]) * Double(zs[$1][i]) }
            }
            let terms = (0..<count).map { i in
                abs(Double(x0[i])) + Double(s[i]) * coefficients.indices.reduce(0.0) { $0 + abs(Double(coefficients[$1]) * Double(zs[$1][i])) }
            }
            #expect(maxTermRelativeError(scaled, wide, terms: terms) < 1e-6)
            for (name, k) in streamKernelVariants() {
                var x = x0
                x.withUnsafeMutableBufferPointer { xb in
                    coefficients.withUnsafeBufferPointer { cb in
                        s.withUnsafeBufferPointer { k.accumulate(xb, coefficients: cb, scale: $0, seed: Self.seed, offset: offset) }
                    }
                }
                #expect(bits(x) == bits(scaled), "\(name) scaled n=\(count)")
                x = x0
                x.withUnsafeMutableBufferPointer { xb in
                    coefficients.withUnsafeBufferPointer { k.accumulate(xb, coefficients: $0, scale: nil, seed: Self.seed, offset: offset) }
                }
                #expect(bits(x) == bits(plain), "\(name) plain n=\(count)")
            }
        }
    }

    @Test("hessianEMA (peer rule)")
    func hessianEMA() {
        let coefficients: [Float] = [0.8, -0.3, 1.7]
        let beta: Float = 0.95
        for (count, offset) in Self.cases {
            let h0 = testVector(count, seed: 5).map { abs($0) + 0.5 }, s = testVector(count, seed: 6).map { abs($0) + 0.25 }
            let zs = coefficients.indices.map { referenceNormals(count, seed: Self.seed, stream: UInt64($0), offset: offset) }
            let expected = (0..<count).map { i -> Float in
                var acc: Float = 0
                for p in coefficients.indices { acc = acc + coefficients[p] * zs[p][i] }
                let d = s[i] * acc
                return beta * h0[i] + ((1 - beta) * d) * d
            }
            let wide = (0..<count).map { i -> Double in
                let d = Double(s[i]) * coefficients.indices.reduce(0.0) { $0 + Double(coefficients[$1]) * Double(zs[$1][i]) }
                return 0.95 * Double(h0[i]) + 0.05 * d * d
            }
            #expect(maxRelativeDifference(expected, wide.map { Float($0) }) < 1e-5)
            for (name, k) in streamKernelVariants() {
                var h = h0
                h.withUnsafeMutableBufferPointer { hb in
                    coefficients.withUnsafeBufferPointer { cb in
                        s.withUnsafeBufferPointer {
                            k.hessianEMA(hb, scale: $0, coefficients: cb, seed: Self.seed, beta: beta, offset: offset)
                        }
                    }
                }
                #expect(bits(h) == bits(expected), "\(name) n=\(count)")
            }
        }
    }

    @Test("hessianPaperUpdate (Eq. 12), including more clients than one scratch group", arguments: [1, 3, 20])
    func hessianPaper(clients: Int) {
        let streams = 2
        let coefficients = testVector(clients * streams, seed: 7)
        let nu: Float = 0.1, epsilon: Float = 1e-6
        for (count, offset) in Self.cases {
            let h0 = testVector(count, seed: 8).map { abs($0) + 0.5 }, s = testVector(count, seed: 9).map { abs($0) + 0.25 }
            let zs = (0..<streams).map { referenceNormals(count, seed: Self.seed, stream: UInt64($0), offset: offset) }
            let expected = (0..<count).map { i -> Float in
                var sum: Float = 0
                for c in 0..<clients {
                    var acc: Float = 0
                    for p in 0..<streams { acc = acc + coefficients[c * streams + p] * zs[p][i] }
                    let d = s[i] * acc
                    sum = sum + (d * d + epsilon)
                }
                return (1 - nu) * h0[i] + nu * ((1 / Float(clients)) * sum)
            }
            let wide = (0..<count).map { i -> Double in
                var sum = 0.0
                for c in 0..<clients {
                    let d = Double(s[i]) * (0..<streams).reduce(0.0) { $0 + Double(coefficients[c * streams + $1]) * Double(zs[$1][i]) }
                    sum += d * d + 1e-6
                }
                return 0.9 * Double(h0[i]) + 0.1 * sum / Double(clients)
            }
            #expect(maxRelativeDifference(expected, wide.map { Float($0) }) < 1e-5)
            for (name, k) in streamKernelVariants() {
                var h = h0
                h.withUnsafeMutableBufferPointer { hb in
                    coefficients.withUnsafeBufferPointer { cb in
                        s.withUnsafeBufferPointer {
                            k.hessianPaperUpdate(
                                hb, scale: $0, coefficients: cb, clients: clients, seed: Self.seed, nu: nu, epsilon: epsilon,
                                offset: offset)
                        }
                    }
                }
                #expect(bits(h) == bits(expected), "\(name) clients \(clients) n=\(count)")
            }
        }
    }

    @Test("refreshScale: 1/sqrt(max(h, floor)), NaN for negative values, same bits everywhere")
    func refreshScale() {
        var h = testVector(70_001, seed: 10).map { abs($0) * 3 }
        h[0] = 0; h[1] = -0.0; h[2] = -1; h[3] = .infinity; h[4] = 1e-30; h[5] = .nan; h[6] = 4
        for floor: Float in [0, 1e-8, -2] {
            let expected = h.map { v -> Float in
                let w = v < floor ? floor : v
                return w < 0 ? Float(bitPattern: 0x7FC0_0000) : 1 / w.magnitude.squareRoot()
            }
            #expect(expected[6] == 0.5)
            #expect(expected[2].isNaN == (floor < 0))
            #expect(expected[0] == (floor > 0 ? 1e4 : .infinity))
            for (name, k) in streamKernelVariants() {
                var s = [Float](repeating: 7, count: h.count)
                s.withUnsafeMutableBufferPointer { sb in h.withUnsafeBufferPointer { k.refreshScale(sb, from: $0, floor: floor) } }
                #expect(bits(s) == bits(expected), "\(name) floor \(floor)")
            }
        }
    }
}
