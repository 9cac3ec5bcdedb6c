import HiSoKernels
import HiSoTestSupport
import Testing

/// The QR decomposition behind the rotated quadratics of the quadratic lab.
@Suite("QR")
struct QRTests {
    /// (m, n) with m >= n: tiny, square, tall, and a square size with a few dozen reflectors.
    static let shapes: [(Int, Int)] = [(1, 1), (2, 2), (5, 5), (7, 3), (33, 33), (64, 17)]

    /// Runs the backend's QR on a Gaussian `m x n` matrix stored with row stride `n + pad`.
    private static func factor(_ backend: any KernelBackend, m: Int, n: Int, seed: UInt64) -> (a: [Float], q: [Float], r: [Float]) {
        var values = TestValues(seed: seed)
        let a = values.gaussian(m * n)
        let ldq = n + 1
        let ldr = n + 2
        var q = [Float](repeating: .nan, count: m * ldq)
        var r = [Float](repeating: .nan, count: n * ldr)
        a.withUnsafeBufferPointer { a in
            q.withUnsafeMutableBufferPointer { q in
                r.withUnsafeMutableBufferPointer { r in
                    backend.qr(m: m, n: n, a: a.baseAddress!, lda: n, q: q.baseAddress!, ldq: ldq, r: r.baseAddress!, ldr: ldr)
                }
            }
        }
        let qDense = (0..<m).flatMap { i in q[(i * ldq)..<(i * ldq + n)] }
        let rDense = (0..<n).flatMap { i in r[(i * ldr)..<(i * ldr + n)] }
        return (a, qDense, rDense)
    }

    @Test("Q is orthonormal, R is upper triangular with a non-negative diagonal, and Q R = A", arguments: Kernels.compiledBackends)
    func factorization(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 1)
        for (m, n) in Self.shapes {
            let (a, q, r) = Self.factor(backend, m: m, n: n, seed: UInt64(100 * m + n))
            var orthogonality = 0.0
            for i in 0..<n {
                for j in 0..<n {
                    let g = (0..<m).reduce(0.0) { $0 + Double(q[$1 * n + i]) * Double(q[$1 * n + j]) }
                    orthogonality = max(orthogonality, abs(g - (i == j ? 1 : 0)))
                }
            }
            #expect(orthogonality <= 1e-5, "\(kind) \(m)x\(n): |QᵀQ - I| = \(orthogonality)")
            for i in 0..<n {
                #expect(r[i * n + i] >= 0, "\(kind) \(m)x\(n): R[\(i)][\(i)] = \(r[i * n + i])")
                for j in 0..<i { #expect(r[i * n + j] == 0, "\(kind) \(m)x\(n): R[\(i)][\(j)] below the diagonal") }
            }
            let largest = a.map { abs(Double($0)) }.max() ?? 0
            var residual = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    let qr = (0..<n).reduce(0.0) { $0 + Double(q[i * n + $1]) * Double(r[$1 * n + j]) }
                    residual = max(residual, abs(qr - Double(a[i * n + j])))
                }
            }
            #expect(residual <= 1e-5 * Double(n) * largest, "\(kind) \(m)x\(n): |QR - A| = \(residual)")
        }
    }

    @Test("a zero column still gives an orthonormal Q", arguments: Kernels.compiledBackends)
    func rankDeficient(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 1)
        var values = TestValues(seed: 3)
        var a = values.gaussian(6 * 4)
        for i in 0..<6 { a[i * 4 + 1] = 0 }
        let q = backend.orthonormalQ(of: a, rows: 6, columns: 4)
        for i in 0..<4 {
            for j in 0..<4 {
                let g = (0..<6).reduce(0.0) { $0 + Double(q[$1 * 4 + i]) * Double(q[$1 * 4 + j]) }
                #expect(abs(g - (i == j ? 1 : 0)) <= 1e-5, "\(kind): (QᵀQ)[\(i)][\(j)] = \(g)")
            }
        }
    }

    #if OpenBLAS
    @Test("LAPACKE and the Swift Householder QR give the same Q")
    func crossBackend() throws {
        let swift = try Kernels.backend(.swift, threads: 1)
        let blas = try Kernels.backend(.openblas, threads: 1)
        var values = TestValues(seed: 21)
        for n in [1, 4, 17, 40] {
            // Well conditioned (I + 0.1 G): Q is determined to float rounding.
            var a = values.gaussian(n * n).map { 0.1 * $0 }
            for i in 0..<n { a[i * n + i] += 1 }
            let qs = swift.orthonormalQ(of: a, rows: n, columns: n)
            let qb = blas.orthonormalQ(of: a, rows: n, columns: n)
            let worst = zip(qs, qb).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5, "n=\(n): max |Q_swift - Q_openblas| = \(worst)")
        }
    }
    #endif
}
