import HiSoKernels
import HiSoOptim

/// Applies a finished round to a model and its preconditioner, exactly as every party does.
///
/// For each local step `k` in order: `x <- x - lr_k (1/P) sum_p gbar_{k,p} s ⊙ z(seed_k, p)`
/// (`ZOUpdate`), with `s` frozen during the round; then the preconditioner's H update. The
/// server, every catching-up client and a resuming run call this one function, so they obtain
/// the same bits.
///
/// Complexity: `tau P` direction generations plus the H update. Memory: no d-sized temporaries.
public enum RoundReplay {
    /// Checks that a received `record` has the shape of this run: `tau` steps of `P` aggregated
    /// scalars, and per-client rows and second differences (if any) of `P` scalars each.
    ///
    /// - Throws: ``FederationError/dimensionMismatch(what:expected:found:)`` naming the round,
    ///   the step and the row.
    /// - Complexity: O(tau + rows).
    public static func validate(_ record: RoundRecord, perturbations: Int, localSteps: Int) throws(FederationError) {
        guard record.steps.count == localSteps else {
            throw .dimensionMismatch(what: "local steps in the record of round \(record.round)", expected: localSteps, found: record.steps.count)
        }
        for (k, step) in record.steps.enumerated() {
            guard step.aggregated.count == perturbations else {
                throw .dimensionMismatch(
                    what: "aggregated scalars of step \(k) in the record of round \(record.round)", expected: perturbations,
                    found: step.aggregated.count)
            }
            if let c = step.curvature, c.count != perturbations {
                throw .dimensionMismatch(
                    what: "second differences of step \(k) in the record of round \(record.round)", expected: perturbations,
                    found: c.count)
            }
            for (i, row) in (step.perClient ?? []).enumerated() where row.count != perturbations {
                throw .dimensionMismatch(
                    what: "per-client row \(i) of step \(k) in the record of round \(record.round)", expected: perturbations,
                    found: row.count)
            }
        }
    }

    /// Replays `record` onto `x` and `preconditioner` (`RoundRecord.apply(to:preconditioner:backend:)`,
    /// the replay half of the round loop).
    ///
    /// - Throws: ``FederationError/optimizer(_:)`` wrapping a malformed record (the preconditioner
    ///   rejects it).
    public static func apply(
        _ record: RoundRecord, to x: UnsafeMutableBufferPointer<Float>,
        preconditioner: inout any Preconditioner, backend: any KernelBackend
    ) throws(FederationError) {
        do {
            try record.apply(to: x, preconditioner: &preconditioner, backend: backend)
        } catch {
            throw .optimizer(error)
        }
    }
}
