import Foundation

/// A deterministic generator of test inputs (SplitMix64), independent of the library's streams.
public struct TestValues {
    private var state: UInt64

    /// - Parameter seed: any value; equal seeds give equal sequences.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits (SplitMix64).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in `[0, 1)`.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// `count` floats uniform in `[low, high)`.
    public mutating func uniform(_ count: Int, in low: Float = -1, _ high: Float = 1) -> [Float] {
        (0..<count).map { _ in low + (high - low) * Float(unit()) }
    }

    /// `count` standard-normal floats (Box-Muller in double).
    public mutating func gaussian(_ count: Int) -> [Float] {
        (0..<count).map { _ in
            let u = 1 - unit()
            let v = unit()
            return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
        }
    }
}

/// Naive GEMM in double: `C = alpha * op(A) * op(B) + beta * C` (row-major, BLAS conventions:
/// `C` not read when `beta == 0`).
///
/// - Returns: the exact-ish result and, per element, `|alpha| * sum_p |a_ip b_pj| + |beta c_ij|`,
///   the scale that float rounding error is proportional to.
public func referenceGEMM(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int,
    b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int
) -> (values: [Double], scale: [Double]) {
    var values = [Double](repeating: 0, count: m * n)
    var scale = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            var abs = 0.0
            for p in 0..<k {
                let x = Double(transA ? a[p * lda + i] : a[i * lda + p])
                let y = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                sum += x * y
                abs += Swift.abs(x * y)
            }
            let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            values[i * n + j] = Double(alpha) * sum + old
            scale[i * n + j] = Swift.abs(Double(alpha)) * abs + Swift.abs(old)
        }
    }
    return (values, scale)
}
