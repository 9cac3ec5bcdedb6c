#if OpenBLAS
internal import CHiSoBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GEMM, GEMV, dot, nrm2 and scal through CBLAS (row-major); axpy in Swift so that it is
/// bit-identical to the Swift backend (OpenBLAS's saxpy may use fused multiply-adds).
///
/// Threading: OpenBLAS has one process-wide thread pool, and its size
/// (`openblas_set_num_threads`) is process-global: a call that changes it while another call's
/// multi-threaded routine runs corrupts that routine's result. So every BLAS and LAPACK call
/// goes through ``withPool(_:)``, which keeps the pool at 1 thread except inside a call of a
/// backend with more BLAS threads (``OpenBLASBackend/threadedGEMM``), and serialises what must be
/// serialised (``BLASPool``):
/// - a call of a 1-thread backend holds the pool's lock shared: any number of them run at once
///   (parallel client lanes), each on its caller's thread, never touching the pool;
/// - a call of a backend with more threads holds it exclusively: it waits for every running call,
///   sets the pool to its thread count, calls, and sets the pool back to 1.
///
/// GEMM therefore runs on exactly the backend's BLAS thread count, and no other parallel loop of
/// ours runs while it does: the fused kernels and OpenBLAS never spin against each other.
extension OpenBLASBackend {
    /// Runs one BLAS or LAPACK call under the pool discipline of the extension.
    @inline(__always)
    func withPool<R>(_ body: () -> R) -> R {
        let lock = BLASPool.lock
        let threads = blasThreads
        if threads == 1 {
            pthread_rwlock_rdlock(lock)
            defer { pthread_rwlock_unlock(lock) }
            return body()
        }
        pthread_rwlock_wrlock(lock)
        defer {
            openblas_set_num_threads(1)
            pthread_rwlock_unlock(lock)
        }
        openblas_set_num_threads(Int32(clamping: threads))
        return body()
    }

    /// `C = alpha op(A) op(B) + beta C` through `cblas_sgemm` (one thread unless ``threadedGEMM``).
    /// Complexity: `2 m n k` flops; memory: OpenBLAS's internal buffers.
    public func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        LinearAlgebraChecks.gemm(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        guard m > 0 && n > 0 else { return }
        if k == 0 || alpha == 0 {
            SwiftGEMM.scaleOutput(m: m, n: n, beta: beta, c: c, ldc: ldc)
            return
        }
        precondition(max(max(m, n), max(k, max(lda, max(ldb, ldc)))) <= Int(Int32.max), "gemm: size exceeds the 32-bit CBLAS interface")
        withPool {
            cblas_sgemm(
                CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        }
    }

    /// `y = alpha op(A) x + beta y` through `cblas_sgemv`. Complexity: `2 m n` flops.
    public func gemv(
        trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        precondition(m >= 0 && n >= 0 && lda >= max(1, n), "gemv: bad sizes m=\(m) n=\(n) lda=\(lda)")
        let outputs = trans ? n : m
        guard outputs > 0 else { return }
        if m == 0 || n == 0 || alpha == 0 {
            if beta != 1 { SwiftGEMM.scal(outputs, beta, y) }
            return
        }
        precondition(max(max(m, n), lda) <= Int(Int32.max), "gemv: size exceeds the 32-bit CBLAS interface")
        withPool {
            cblas_sgemv(
                CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda),
                x, 1, beta, y, 1)
        }
    }

    /// `sum_i x_i y_i` through `cblas_sdot`. Complexity: `2 n` flops; no allocation.
    public func dot(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Float {
        precondition(x.count == y.count, "dot: lengths differ (\(x.count) vs \(y.count))")
        guard let px = x.baseAddress, let py = y.baseAddress, x.count > 0 else { return 0 }
        precondition(x.count <= Int(Int32.max), "dot: length exceeds the 32-bit CBLAS interface")
        return withPool { cblas_sdot(Int32(x.count), px, 1, py, 1) }
    }

    /// `sqrt(sum_i x_i^2)` through `cblas_snrm2`. Complexity: `2 n` flops; no allocation.
    public func nrm2(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let px = x.baseAddress, x.count > 0 else { return 0 }
        precondition(x.count <= Int(Int32.max), "nrm2: length exceeds the 32-bit CBLAS interface")
        return withPool { cblas_snrm2(Int32(x.count), px, 1) }
    }

    /// `x = alpha x` through `cblas_sscal`; `alpha = 0` runs in Swift so that `+0` is stored even
    /// over NaN. Complexity: `n` flops; no allocation.
    public func scal(_ x: UnsafeMutableBufferPointer<Float>, alpha: Float) {
        guard let px = x.baseAddress, x.count > 0 else { return }
        if alpha == 0 || x.count > Int(Int32.max) {
            SwiftGEMM.scal(x.count, alpha, px)
            return
        }
        withPool { cblas_sscal(Int32(x.count), alpha, px, 1) }
    }

    /// `y = y + alpha x` in Swift (bit-identical to the Swift backend). Complexity: `2 n` flops.
    public func axpy(_ x: UnsafeBufferPointer<Float>, alpha: Float, _ y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "axpy: lengths differ (\(x.count) vs \(y.count))")
        guard let px = x.baseAddress, let py = y.baseAddress else { return }
        SwiftGEMM.axpy(x.count, alpha, px, py)
    }
}

/// The lock of OpenBLAS's process-wide pool size (see ``OpenBLASBackend/withPool(_:)``); made on
/// first use, which also sets the pool to 1 thread.
enum BLASPool {
    nonisolated(unsafe) static let lock: UnsafeMutablePointer<pthread_rwlock_t> = {
        let lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
        openblas_set_num_threads(1)
        return lock
    }()
}
#endif
