/// Fixed-size scratch memory that lives on the stack of the calling thread (never on the heap).
///
/// 1,024 Float32 values (4 KiB), independent of the problem size. The fused kernels use one per
/// generated stream chunk and one per accumulator row.
struct StackScratch {
    /// The number of `Float` values the scratch holds.
    static let capacity = 1024

    private typealias Storage = (
        SIMD64<Float>, SIMD64<Float>, SIMD64<Float>, SIMD64<Float>,
        SIMD64<Float>, SIMD64<Float>, SIMD64<Float>, SIMD64<Float>,
        SIMD64<Float>, SIMD64<Float>, SIMD64<Float>, SIMD64<Float>,
        SIMD64<Float>, SIMD64<Float>, SIMD64<Float>, SIMD64<Float>)

    private var storage: Storage = (
        .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero,
        .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)

    /// Runs `body` with a pointer to the ``capacity`` floats of this scratch.
    @inline(__always)
    mutating func withPointer<R>(_ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        withUnsafeMutableBytes(of: &storage) { raw in
            body(raw.bindMemory(to: Float.self).baseAddress!)
        }
    }
}
