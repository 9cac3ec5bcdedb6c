import Foundation
import Testing
import HiSoKernels

/// The seeded generator and its Gamma/Dirichlet samplers.
@Suite struct SeededGeneratorTests {
    @Test func streamsAreReproducibleAndDistinct() {
        var a = SeededGenerator(seed: 42, stream: [5, 1, 2])
        var b = SeededGenerator(seed: 42, 5, 1, 2)
        var c = SeededGenerator(seed: 42, stream: [5, 2, 1])
        let xs = (0..<8).map { _ in a.next() }
        #expect(xs == (0..<8).map { _ in b.next() })
        #expect(xs != (0..<8).map { _ in c.next() })
    }

    @Test func xoshiroKnownValue() {
        var generator = SeededGenerator(seed: 0)
        let first = generator.next()
        var again = SeededGenerator(seed: 0)
        #expect(again.next() == first)
        #expect(first != 0)
    }

    @Test func boundedIndicesAreUniform() {
        var generator = SeededGenerator(seed: 1)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[generator.nextIndex(below: 7)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 }, "\(counts)")
    }

    @Test func shuffleIsAPermutation() {
        var generator = SeededGenerator(seed: 2)
        var values = Array(0..<100)
        generator.shuffle(&values)
        #expect(values.sorted() == Array(0..<100))
        #expect(values != Array(0..<100))
    }

    @Test(arguments: [0.05, 0.5, 1.0, 3.0, 20.0])
    func gammaMeanAndVariance(shape: Double) {
        var generator = SeededGenerator(seed: 3)
        let n = 20_000
        var sum = 0.0
        var sumSquares = 0.0
        for _ in 0..<n {
            let g = generator.nextGamma(shape: shape)
            #expect(g >= 0 && g.isFinite)
            sum += g
            sumSquares += g * g
        }
        let mean = sum / Double(n)
        let variance = sumSquares / Double(n) - mean * mean
        #expect(abs(mean - shape) < 5 * (shape / Double(n)).squareRoot(), "Gamma(\(shape)) mean \(mean)")
        #expect(abs(variance - shape) < 0.15 * shape, "Gamma(\(shape)) variance \(variance)")
    }

    @Test func dirichletSumsToOneWithExpectedMeans() {
        var generator = SeededGenerator(seed: 4)
        let alphas = [0.5, 1.0, 2.5]
        var means = [Double](repeating: 0, count: 3)
        for _ in 0..<10_000 {
            let p = generator.nextDirichlet(alphas)
            #expect(abs(p.reduce(0, +) - 1) < 1e-12)
            for k in 0..<3 { means[k] += p[k] / 10_000 }
        }
        for k in 0..<3 { #expect(abs(means[k] - alphas[k] / 4) < 0.01, "\(means)") }
        let degenerate = generator.nextDirichlet([1e-300, 1e-300])
        #expect(degenerate.reduce(0, +) == 1)
    }
}
