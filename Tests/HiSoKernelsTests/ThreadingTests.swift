import Synchronization
import Testing
@testable import HiSoKernels

/// The range splitter behind every threaded kernel.
@Suite("Threading: ParallelRange")
struct ThreadingTests {
    @Test("parts tile 0..<count exactly, start on aligned boundaries, and small ranges stay inline")
    func partition() {
        let counts = [0, 1, 7, ParallelRange.minimumPerThread - 1, 2 * ParallelRange.minimumPerThread + 5, 1_000_003]
        for count in counts {
            for threads in [1, 2, 3, 8] {
                let parts = Mutex<[Range<Int>]>([])
                ParallelRange.forEach(count: count, threads: threads) { lo, hi in
                    parts.withLock { $0.append(lo..<hi) }
                }
                let sorted = parts.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
                let expectedParts = max(1, min(threads, count / ParallelRange.minimumPerThread))
                #expect(sorted.count == expectedParts, "count \(count) threads \(threads)")
                #expect(sorted.first?.lowerBound == 0 && sorted.last?.upperBound == count)
                for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
                for part in sorted.dropFirst() { #expect(part.lowerBound % ParallelRange.alignment == 0) }
            }
        }
    }

    @Test("a fused pass gives the same bits for 1 to 4 threads on every backend")
    func threadCountInvariance() throws {
        let count = 4 * ParallelRange.minimumPerThread + 13
        let x0 = testVector(count, seed: 21)
        var reference: [UInt32]?
        for kind in Kernels.compiledBackends {
            for threads in 1...4 {
                let backend = try Kernels.backend(kind, threads: threads)
                var x = x0
                x.withUnsafeMutableBufferPointer {
                    backend.perturb($0, alpha: 0.25, scale: nil, seed: 8, stream: 2, offset: 1)
                }
                if let reference {
                    #expect(bits(x) == reference, "\(kind) with \(threads) threads")
                } else {
                    reference = bits(x)
                }
            }
        }
    }
}
