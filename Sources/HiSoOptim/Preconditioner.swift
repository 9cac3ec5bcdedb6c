import HiSoKernels

/// A diagonal preconditioner shared by every party of a run: it supplies the perturbation scale
/// `s = H^(-1/2)` and updates `H` from the scalars of a finished round.
///
/// Implementations are value types, so a copy is a snapshot (catch-up resets to one). `H` is
/// frozen within a round: every party calls ``update(after:backend:)`` once per round, after the
/// round's model steps have been replayed, with the same record, and so obtains the same bits.
///
/// - ``IdentityPreconditioner``: DeComFL (`s = nil`).
/// - ``HiSoPreconditioner``: HiSo's learned diagonal, peer-code or paper rule.
/// - ``CurvaturePreconditioner``: `hiso-curv`, an EMA of the Stein estimate of `diag(∇²f)` from the
///   aggregated second differences.
/// - ``OracleDiagonalPreconditioner``: a fixed diagonal given by the task.
public protocol Preconditioner: Sendable {
    /// `H^(-1/2)` (`d` floats), or `nil` for the identity. Passed to the kernels as `scale`.
    var scale: [Float]? { get }

    /// The diagonal `H` itself (`d` floats), or `nil` for the identity.
    var hessian: [Float]? { get }

    /// Whether ``update(after:backend:)`` reads the per-client scalars
    /// (``StepScalars/perClient``); they then travel downlink and the ledger counts them.
    var needsPerClientScalars: Bool { get }

    /// Whether ``update(after:backend:)`` reads the aggregated second differences
    /// (``StepScalars/curvature``); clients then upload `2 P` scalars per step (`g_p`, then `c_p`).
    var needsCurvatureScalars: Bool { get }

    /// Updates `H` (and `s`) from a finished round's record.
    ///
    /// - Throws: ``OptimError/malformedRecord(round:reason:)`` when the record lacks what the rule
    ///   needs (no steps, ragged per-client rows, missing per-client scalars).
    mutating func update(after record: RoundRecord, backend: any KernelBackend) throws(OptimError)
}

extension Preconditioner {
    /// `false`: the rules that learn from `g_p` alone.
    public var needsCurvatureScalars: Bool { false }

    /// Runs `body` with the scale as a buffer pointer (`nil` for the identity), without copying.
    @inlinable
    public func withScale<R>(_ body: (UnsafeBufferPointer<Float>?) throws -> R) rethrows -> R {
        guard let s = scale else { return try body(nil) }
        return try s.withUnsafeBufferPointer { try body($0) }
    }
}
