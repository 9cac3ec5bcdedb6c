import Dispatch
import HiSoKernels
#if OpenBLAS
internal import CHiSoBLAS
#endif

/// Machine floors, measured in the same run as the entries compared with them.
///
/// For suite authors (k1's `zo_step_central` / `hiso_step` bounds use the bandwidth floor):
/// ```swift
/// let bw = Floors.readModifyWrite(d: d, threads: t, in: context)       // allocates d floats
/// // or, reusing a buffer you already have (its contents are overwritten):
/// let bw = Floors.readModifyWrite(buffer, threads: t, in: context)
/// bw.gigabytesPerSecond    // 8 bytes per element (read + write)
/// bw.secondsPerElement     // the median time of one element's read-modify-write
/// ```
/// and record it yourself if you want it in the report (name `rmw_bandwidth`, unit `GB/s`).
/// ``rawSGEMM(m:k:n:threads:in:interleavedWith:)`` is the GEMM floor (raw `cblas_sgemm`), present only when
/// the `OpenBLAS` trait is on.
enum Floors {
    /// A measured in-place read-modify-write bandwidth.
    struct Bandwidth: Sendable {
        /// Elements per pass.
        let d: Int
        /// The trial timings (seconds per pass).
        let times: TrialTimes
        /// `8 d / median` in GB/s (4 bytes read plus 4 bytes written per element).
        var gigabytesPerSecond: Double { 8 * Double(d) / times.median / 1e9 }
        /// `median / d`: seconds per element.
        var secondsPerElement: Double { times.median / Double(d) }
    }

    /// In-place read-modify-write bandwidth: `x[i] = a * x[i] + b` over `d` floats.
    ///
    /// Allocates and frees one `d`-float buffer (4 d bytes). Work is split into `threads`
    /// contiguous chunks.
    static func readModifyWrite(d: Int, threads: Int, in context: BenchmarkContext) -> Bandwidth {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: d)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 2)
        return readModifyWrite(buffer, threads: threads, in: context)
    }

    /// In-place read-modify-write bandwidth over an existing buffer (its contents are replaced
    /// by a fixed point of `x = 0.5 x + 1`, so repeated passes stay finite).
    static func readModifyWrite(_ x: UnsafeMutableBufferPointer<Float>, threads: Int, in context: BenchmarkContext) -> Bandwidth {
        let d = x.count
        guard let base = x.baseAddress, d > 0 else {
            return Bandwidth(d: 0, times: TrialTimes(seconds: [0], iterations: 1))
        }
        let a: Float = 0.5
        let b: Float = 1
        let chunks = max(1, threads)
        let times = context.measure {
            if chunks == 1 {
                scaleShift(base, count: d, a: a, b: b)
            } else {
                let address = UInt(bitPattern: base)
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let lo = d * c / chunks
                    let hi = d * (c + 1) / chunks
                    let p = UnsafeMutablePointer<Float>(bitPattern: address).unsafelyUnwrapped
                    scaleShift(p + lo, count: hi - lo, a: a, b: b)
                }
            }
        }
        return Bandwidth(d: d, times: times)
    }

    /// `x[i] = a * x[i] + b` for `i < count` (separate multiply and add).
    @inline(never)
    private static func scaleShift(_ x: UnsafeMutablePointer<Float>, count: Int, a: Float, b: Float) {
        var i = 0
        while i < count {
            x[i] = a * x[i] + b
            i &+= 1
        }
    }

    #if OpenBLAS
    /// Raw `cblas_sgemm` (row-major, no transposes, alpha 1, beta 0) on an `m x k` times `k x n`
    /// problem with OpenBLAS set to `threads` threads: the GEMM floor.
    ///
    /// The raw call is timed with its trials interleaved with those of `others` (for example
    /// the backend GEMM it is the floor of), so both see the same machine load.
    /// Allocates the three matrices (`4 (mk + kn + mn)` bytes) for the duration of the call.
    /// - Returns: the raw timings (seconds per call; GFLOP/s = `2 m n k / median / 1e9`) and one
    ///   ``TrialTimes`` per element of `others`.
    static func rawSGEMM(
        m: Int, k: Int, n: Int, threads: Int, in context: BenchmarkContext,
        interleavedWith others: [() -> Void] = []
    ) -> (raw: TrialTimes, others: [TrialTimes]) {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: max(1, m * k))
        let b = UnsafeMutablePointer<Float>.allocate(capacity: max(1, k * n))
        let c = UnsafeMutablePointer<Float>.allocate(capacity: max(1, m * n))
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        fillDeterministic(a, count: m * k)
        fillDeterministic(b, count: k * n)
        c.initialize(repeating: 0, count: m * n)
        let raw: () -> Void = {
            if openblas_get_num_threads() != Int32(threads) { openblas_set_num_threads(Int32(threads)) }
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                1, a, Int32(max(1, k)), b, Int32(max(1, n)), 0, c, Int32(max(1, n)))
        }
        let times = context.measureInterleaved([raw] + others)
        return (times[0], Array(times.dropFirst()))
    }
    #endif

    /// Fills `count` floats with a fixed pattern in `[-1, 1)` (benchmark inputs; not random).
    static func fillDeterministic(_ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            p[i] = Float((i &* 7919) % 2001 - 1000) / 1000
        }
    }
}
