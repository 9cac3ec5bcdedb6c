import Foundation
import Testing
@testable import HiSoKernels

/// Distribution and accuracy of the normals.
@Suite("Perturbation stream statistics and accuracy")
struct StreamStatisticsTests {
    static let sampleCount = 1 << 20

    /// Standard normal CDF.
    static func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    @Test(
        "mean, variance, tails and Kolmogorov-Smirnov over 2^20 samples",
        arguments: [(UInt64(1), UInt64(0)), (0xFEED, 12)])
    func distribution(seed: UInt64, stream: UInt64) throws {
        let n = Self.sampleCount
        var z = [Float](repeating: 0, count: n)
        let backend = try Kernels.backend(nil, threads: 2)
        z.withUnsafeMutableBufferPointer { backend.fillNormal($0, seed: seed, stream: stream, offset: 12_345) }
        var sum = 0.0, sumSquares = 0.0, tail = 0
        // Histogram on [-6, 6) with bins of width 1/1024 for the empirical CDF at the bin edges.
        let binsPerUnit = 1_024.0, low = -6.0
        var histogram = [Int](repeating: 0, count: Int(12 * binsPerUnit) + 2)
        for v in z {
            let x = Double(v)
            sum += x
            sumSquares += x * x
            if abs(x) > 3 { tail += 1 }
            let bin = min(max(Int(((x - low) * binsPerUnit).rounded(.down)) + 1, 0), histogram.count - 1)
            histogram[bin] += 1
        }
        let mean = sum / Double(n), variance = sumSquares / Double(n) - mean * mean
        #expect(abs(mean) < 5 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 5 * (2 / Double(n)).squareRoot())
        let expectedTail = 2 * Self.phi(-3) * Double(n)
        #expect(abs(Double(tail) - expectedTail) < 5 * expectedTail.squareRoot())
        // D at the bin edges is a lower bound of the KS statistic; the upper bound adds the
        // largest bin mass (about 4e-4 here). Both must stay under the 1% critical value 1.63/sqrt(n).
        var cumulative = 0, ks = 0.0, largestBin = 0.0
        for (bin, count) in histogram.enumerated().dropLast() {
            cumulative += count
            let edge = low + Double(bin) / binsPerUnit
            ks = max(ks, abs(Double(cumulative) / Double(n) - Self.phi(edge)))
            largestBin = max(largestBin, Self.phi(edge + 1 / binsPerUnit) - Self.phi(edge))
        }
        #expect(cumulative + histogram.last! == n)
        #expect(ks < 1.63 / Double(n).squareRoot())
        #expect(ks + largestBin < 2.5 / Double(n).squareRoot())
    }

    @Test("Box-Muller with the polynomial log and sincos is within 1e-6 of the exact transform")
    func accuracy() {
        var state: UInt64 = 0x1234_5678
        var worstAbsolute = 0.0, worstRadius = 0.0
        var words: [(UInt32, UInt32)] = [
            (0, 0), (0xFFFF_FFFF, 0xFFFF_FFFF), (0x0000_00FF, 0x4000_0000), (0xFFFF_FF00, 0x2000_0000),
        ]
        for small in UInt32(0)..<4_096 { words.append((small << 8, small &* 0x9E37_79B9)) }
        for _ in 0..<200_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            words.append((UInt32(truncatingIfNeeded: state >> 32), UInt32(truncatingIfNeeded: state)))
        }
        for (wa, wb) in words {
            let (c, s) = PerturbationStream.boxMuller(wa, wb)
            let u = Double((wa >> 8) + 1) * 0x1p-24
            let r = (-2 * Foundation.log(u)).squareRoot()
            let theta = 2 * Double.pi * Double(wb >> 8) * 0x1p-24
            worstAbsolute = max(worstAbsolute, abs(Double(c) - r * cos(theta)), abs(Double(s) - r * sin(theta)))
            let radius = (Double(c) * Double(c) + Double(s) * Double(s)).squareRoot()
            if r > 0.01 { worstRadius = max(worstRadius, abs(radius - r) / r) }
        }
        #expect(worstAbsolute < 1e-6)
        #expect(worstRadius < 3e-7)
    }
}
