import HiSoKernels
import HiSoOptim

/// Computes a client's scalars for one round: `tau` local ZO steps from the round-start model.
///
/// Step `k` uses the seed `StepSeed.derive(runSeed, round, k)` shared by every sampled client,
/// the client's own batch for `(round, k)`, and, for `k < tau - 1`, the client's own update
/// `x_local <- x_local - lr (1/P) sum_p g_{k,p} s ⊙ z_{k,p}`. The round-start model is never
/// modified: with `tau = 1` the estimate is taken at it directly; with `tau > 1` a local copy is
/// stepped (the only case that needs a second d-vector).
///
/// Memory: a `d`-float workspace for perturbed points, plus a `d`-float local model when
/// `tau > 1`. One trainer can serve many simulated clients in turn.
public struct LocalTrainer: Sendable {
    /// The estimator (P, mu, scheme).
    public let estimator: ZOEstimator
    /// `tau`.
    public let localSteps: Int
    private var workspace: [Float]
    private var local: [Float]

    /// Creates a trainer for `dimension` parameters.
    public init(estimator: ZOEstimator, localSteps: Int, dimension: Int) {
        precondition(localSteps >= 1, "localSteps must be at least 1")
        self.estimator = estimator
        self.localSteps = localSteps
        workspace = [Float](repeating: 0, count: dimension)
        local = localSteps > 1 ? [Float](repeating: 0, count: dimension) : []
    }

    /// The `tau P` scalars of `client` in `round`, starting from `x`.
    ///
    /// - Parameters:
    ///   - x: the round-start model (read only).
    ///   - scale: `H^(-1/2)` or `nil` (frozen for the round).
    ///   - runSeed: the run seed.
    ///   - loss: the loss at the given parameters on the client's batch of local step `step`.
    /// - Complexity: `tau` estimates (``ZOEstimator/lossEvaluations`` losses each) and `tau - 1`
    ///   local updates.
    public mutating func upload(
        client: Int, round: UInt64, at x: UnsafeBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?,
        runSeed: UInt64, learningRate: Float, backend: any KernelBackend,
        loss: (_ parameters: UnsafeBufferPointer<Float>, _ step: Int) throws -> Float
    ) rethrows -> ClientUpload {
        let p = estimator.perturbations
        var scalars = [Float](repeating: 0, count: localSteps * p)
        var firstLoss: Float = 0
        let estimator = self.estimator
        let steps = localSteps
        try workspace.withUnsafeMutableBufferPointer { work in
            try scalars.withUnsafeMutableBufferPointer { out in
                if steps == 1 {
                    let seed = StepSeed.derive(runSeed: runSeed, round: round, step: 0)
                    firstLoss = try estimator.estimate(
                        at: x, scale: scale, seed: seed, workspace: work, backend: backend,
                        scalars: UnsafeMutableBufferPointer(rebasing: out[0..<p])) { try loss($0, 0) }
                    return
                }
                try local.withUnsafeMutableBufferPointer { model in
                    _ = model.update(fromContentsOf: x)
                    let start = UnsafeBufferPointer(model)
                    for k in 0..<steps {
                        let seed = StepSeed.derive(runSeed: runSeed, round: round, step: k)
                        let g = UnsafeMutableBufferPointer(rebasing: out[(k * p)..<((k + 1) * p)])
                        let value = try estimator.estimate(
                            at: start, scale: scale, seed: seed, workspace: work, backend: backend,
                            scalars: g) { try loss($0, k) }
                        if k == 0 { firstLoss = value }
                        if k < steps - 1 {
                            ZOUpdate.apply(
                                to: model, scalars: UnsafeBufferPointer(g), scale: scale, seed: seed,
                                learningRate: learningRate, backend: backend)
                        }
                    }
                }
            }
        }
        return ClientUpload(client: client, round: round, scalars: scalars, loss: firstLoss)
    }
}
