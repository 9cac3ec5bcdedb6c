/// One matrix product `C[m x n] = op(A)[m x k] * op(B)[k x n]` (row-major, dense leading
/// dimensions) that a forward pass issues; benchmarks time these alone as the forward's floor.
public struct GEMMShape: Sendable, Hashable, CustomStringConvertible {
    /// Whether `A` is stored transposed (`k x m`).
    public let transA: Bool
    /// Whether `B` is stored transposed (`n x k`).
    public let transB: Bool
    /// Rows of `C`.
    public let m: Int
    /// Columns of `C`.
    public let n: Int
    /// The inner dimension.
    public let k: Int
    /// Leading dimension of the stored `B` (at least `transB ? k : n`): the row-split
    /// convolution reads `B` as a window of a wider matrix.
    public let ldb: Int
    /// Whether the product is added to `C` (`beta = 1`) instead of overwriting it.
    public let accumulate: Bool

    /// Describes one GEMM `C (m x n) = op(A) (m x k) * op(B) (k x n)`.
    ///
    /// - Parameters:
    ///   - transA: whether `A` is used transposed.
    ///   - transB: whether `B` is used transposed.
    ///   - m: rows of `C`.
    ///   - n: columns of `C`.
    ///   - k: the inner dimension.
    ///   - ldb: `B`'s row stride; `nil` means dense (`transB ? k : n`).
    ///   - accumulate: add the product to `C` instead of overwriting it.
    public init(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, ldb: Int? = nil, accumulate: Bool = false) {
        self.transA = transA
        self.transB = transB
        self.m = m
        self.n = n
        self.k = k
        self.ldb = ldb ?? (transB ? k : n)
        self.accumulate = accumulate
    }

    /// Leading dimension of the stored `A`: `transA ? m : k`.
    public var lda: Int { transA ? m : k }
    /// Leading dimension of `C`: `n`.
    public var ldc: Int { n }
    /// Floating-point operations, `2 m n k`.
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

    public var description: String {
        "\(m)x\(k)x\(n)\(transA ? " tA" : "")\(transB ? " tB" : "")\(accumulate ? " +C" : "")"
    }
}

extension Network {
    /// The GEMMs one forward pass on `count` samples issues, in order.
    ///
    /// A linear layer is one `[count x in] * [out x in]^T`. A convolution is
    /// `[Cout x C k^2] * [C k^2 x samples OH OW]` per block of samples (the forward lowers
    /// blocks of about 2^17 im2col floats at a time so the columns stay in cache), or, when it
    /// splits kernel rows (`ConvStep.splitsKernelRows`), `k` accumulating GEMMs
    /// `[Cout x C k] * [C k x OH OW]` per sample; with `blocked: false`, one im2col GEMM over the
    /// whole batch per convolution instead.
    public func forwardGEMMs(count: Int, blocked: Bool = true) -> [GEMMShape] {
        plan.steps.flatMap { step -> [GEMMShape] in
            switch step {
            case .linear(let l):
                return [GEMMShape(transA: false, transB: true, m: count, n: l.outputs, k: l.inputs)]
            case .conv(let c):
                guard blocked else {
                    return [
                        GEMMShape(transA: false, transB: false, m: c.outChannels, n: count * c.outPlane, k: c.patch)
                    ]
                }
                if c.splitsKernelRows {
                    let rows = c.rowSplitRows
                    return (0..<count).flatMap { _ in
                        (0..<c.kernel).map { u in
                            GEMMShape(
                                transA: false, transB: false, m: c.outChannels, n: c.outPlane, k: c.inChannels * c.kernel,
                                ldb: rows * c.outWidth, accumulate: u > 0)
                        }
                    }
                }
                return plan.columnChunks(c, count: count).map {
                    GEMMShape(transA: false, transB: false, m: c.outChannels, n: $0.count * c.outPlane, k: c.patch)
                }
            case .pool, .relu, .transpose:
                return []
            }
        }
    }
}
