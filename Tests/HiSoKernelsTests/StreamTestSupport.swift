@testable import HiSoKernels

/// Every stream-kernel implementation compiled into this build, by name: both public backends
/// (1 and 3 threads) and, with OpenBLAS, the C kernels with the AVX2 path off.
func streamKernelVariants() -> [(name: String, kernels: any PerturbationKernels & FusedStepKernels)] {
    var variants: [(name: String, kernels: any PerturbationKernels & FusedStepKernels)] = [
        ("swift/1", SwiftBackend(threads: 1)), ("swift/3", SwiftBackend(threads: 3)),
    ]
    #if OpenBLAS
    variants.append(("openblas/1", OpenBLASBackend(threads: 1)))
    variants.append(("openblas/2", OpenBLASBackend(threads: 2)))
    variants.append(("c-scalar/1", CStreamKernels(threads: 1, avx2: false)))
    variants.append(("c-scalar/2", CStreamKernels(threads: 2, avx2: false)))
    #endif
    return variants
}

/// Deterministic test data in [-2, 2) (a small LCG; not the perturbation stream).
func testVector(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) * 0x1p-22 - 2
    }
}

/// The stream elements `offset ..< offset + count`, one by one through ``PerturbationStream``
/// (short vectors) or, for long ones, through the single-thread Swift fill (which the invariance
/// tests check against ``PerturbationStream/value(at:)``).
func referenceNormals(_ count: Int, seed: UInt64, stream: UInt64, offset: Int) -> [Float] {
    if count > 4_096 {
        var out = [Float](repeating: .nan, count: count)
        out.withUnsafeMutableBufferPointer {
            SwiftBackend(threads: 1).fillNormal($0, seed: seed, stream: stream, offset: offset)
        }
        return out
    }
    let source = PerturbationStream(seed: seed, stream: stream)
    return (0..<count).map { source.value(at: UInt64(offset + $0)) }
}

/// The largest `|a - b| / (|t1| + |t2| + tiny)` over elements, where `t1`, `t2` are the terms
/// whose sum both sides approximate: a relative error that cancellation cannot blow up.
func maxTermRelativeError(_ a: [Float], _ b: [Double], terms: [Double]) -> Double {
    zip(zip(a, b), terms).reduce(0) { worst, item in
        max(worst, abs(Double(item.0.0) - item.0.1) / (item.1 + 1e-30))
    }
}

/// Bit patterns, for exact comparisons that also distinguish -0 and NaN payloads.
func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
