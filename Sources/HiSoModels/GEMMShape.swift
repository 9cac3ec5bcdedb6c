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

    /// Leading dimension of the stored `A`: `transA ? m : k`.
    public var lda: Int { transA ? m : k }
    /// Leading dimension of the stored `B`: `transB ? k : n`.
    public var ldb: Int { transB ? k : n }
    /// Leading dimension of `C`: `n`.
    public var ldc: Int { n }
    /// Floating-point operations, `2 m n k`.
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

    public var description: String { "\(m)x\(k)x\(n)\(transA ? " tA" : "")\(transB ? " tB" : "")" }
}

extension Network {
    /// The GEMMs one forward pass on `count` samples issues, in order.
    ///
    /// A linear layer is one `[count x in] * [out x in]^T`. A convolution is
    /// `[Cout x C k^2] * [C k^2 x samples OH OW]` per block of samples (the forward lowers
    /// blocks of about 2^17 im2col floats at a time so the columns stay in cache); with
    /// `blocked: false`, one GEMM over the whole batch per convolution instead.
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
                return plan.columnChunks(c, count: count).map {
                    GEMMShape(transA: false, transB: false, m: c.outChannels, n: $0.count * c.outPlane, k: c.patch)
                }
            case .pool, .relu, .transpose:
                return []
            }
        }
    }
}
