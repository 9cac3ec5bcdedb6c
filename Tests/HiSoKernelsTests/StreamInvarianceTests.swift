import Testing
@testable import HiSoKernels

/// The stream is a pure function of (seed, stream, j): same bits for every backend, thread
/// count, chunking, start offset and size.
@Suite("Perturbation stream invariance")
struct StreamInvarianceTests {
    static let offsets = [0, 1, 2, 3, 5, 4_093, 1 << 33 + 3]

    @Test("fillNormal equals value(at:) for every variant, size and offset")
    func fillMatchesDirect() {
        for size in [0, 1, 7, 33, 1_017, 2_049] {
            for offset in Self.offsets {
                let expected = bits(referenceNormals(size, seed: 99, stream: 5, offset: offset))
                for (name, kernels) in streamKernelVariants() {
                    var out = [Float](repeating: .nan, count: size)
                    out.withUnsafeMutableBufferPointer { kernels.fillNormal($0, seed: 99, stream: 5, offset: offset) }
                    #expect(bits(out) == expected, "\(name) size \(size) offset \(offset)")
                }
            }
        }
    }

    @Test("large fills agree across variants, threads and splits into odd chunks")
    func largeFillsAgree() {
        let count = 70_001
        var expected = [Float](repeating: 0, count: count)
        expected.withUnsafeMutableBufferPointer { SwiftBackend().fillNormal($0, seed: 7, stream: 11, offset: 3) }
        for (name, kernels) in streamKernelVariants() {
            var whole = [Float](repeating: .nan, count: count)
            whole.withUnsafeMutableBufferPointer { kernels.fillNormal($0, seed: 7, stream: 11, offset: 3) }
            #expect(bits(whole) == bits(expected), "\(name) whole")
            var pieces = [Float](repeating: .nan, count: count)
            pieces.withUnsafeMutableBufferPointer { all in
                var start = 0
                for length in [1, 7, 4_093, 65_536, count] where start < count {
                    let piece = UnsafeMutableBufferPointer(rebasing: all[start..<min(count, start + length)])
                    kernels.fillNormal(piece, seed: 7, stream: 11, offset: 3 + start)
                    start += piece.count
                }
            }
            #expect(bits(pieces) == bits(expected), "\(name) pieces")
        }
    }

    @Test("different seeds and streams give different sequences")
    func streamsDiffer() {
        let a = referenceNormals(64, seed: 1, stream: 0, offset: 0)
        let b = referenceNormals(64, seed: 1, stream: 1, offset: 0)
        let c = referenceNormals(64, seed: 2, stream: 0, offset: 0)
        let d = referenceNormals(64, seed: 1 << 32 | 1, stream: 0, offset: 0)
        #expect(a != b && a != c && b != c && a != d)
    }
}
