import HiSoKernels
import HiSoOptim

/// Applies a finished round to a model and its preconditioner, exactly as every party does.
///
/// For each local step `k` in order: `x <- x - lr_k (1/P) sum_p gbar_{k,p} s ⊙ z(seed_k, p)`
/// (``ZOUpdate``), with `s` frozen during the round; then the preconditioner's H update. The
/// server, every catching-up client and a resuming run call this one function, so they obtain
/// the same bits.
///
/// Complexity: `tau P` direction generations plus the H update. Memory: no d-sized temporaries.
public enum RoundReplay {
    /// Replays `record` onto `x` and `preconditioner`.
    ///
    /// - Throws: ``FederationError/task(_:)`` wrapping a malformed record (the preconditioner
    ///   rejects it).
    public static func apply(
        _ record: RoundRecord, to x: UnsafeMutableBufferPointer<Float>,
        preconditioner: inout any Preconditioner, backend: any KernelBackend
    ) throws(FederationError) {
        preconditioner.withScale { scale in
            for step in record.steps {
                step.aggregated.withUnsafeBufferPointer { g in
                    ZOUpdate.apply(
                        to: x, scalars: g, scale: scale, seed: step.seed, learningRate: step.learningRate,
                        backend: backend)
                }
            }
        }
        do {
            try preconditioner.update(after: record, backend: backend)
        } catch {
            throw .task(error.description)
        }
    }
}
