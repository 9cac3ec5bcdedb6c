import HiSoKernels

extension RoundRecord {
    /// Replays the round on a model and its preconditioner: the half of the round loop that every
    /// party runs on the same scalars (server, catching-up clients, the centralised optimizer).
    ///
    /// For each local step `k`: `x <- x - lr_k (1/P) sum_p g_{k,p} s ⊙ z(seed_k, p)` (one fused
    /// `PerturbationKernels.accumulate` pass, `s` frozen for the
    /// round), then the preconditioner's update from the whole record.
    ///
    /// - Parameters:
    ///   - x: the model, updated in place.
    ///   - preconditioner: updated after the steps (HiSo's H and s; identity: nothing).
    ///   - backend: the kernels.
    /// - Throws: the preconditioner's ``OptimError`` (a malformed per-client table).
    /// - Complexity: `tau` passes of `P` generations each, plus the preconditioner's update.
    public func apply(
        to x: UnsafeMutableBufferPointer<Float>, preconditioner: inout any Preconditioner, backend: any KernelBackend
    ) throws(OptimError) {
        preconditioner.withScale { scale in
            for step in steps {
                step.aggregated.withUnsafeBufferPointer { g in
                    ZOUpdate.apply(
                        to: x, scalars: g, scale: scale, seed: step.seed, learningRate: step.learningRate, backend: backend)
                }
            }
        }
        try preconditioner.update(after: self, backend: backend)
    }
}
