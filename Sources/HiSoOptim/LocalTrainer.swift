import HiSoKernels

/// The one zeroth-order round loop of the package, the half that measures: `tau` local ZO steps
/// from the round-start model, producing the `tau P` scalars of a round.
///
/// The federated clients, the centralised ``ZOOptimizer`` and the quadratic lab all run their
/// rounds through it; the other half, the update every party replays from the scalars, is
/// ``RoundRecord/apply(to:preconditioner:backend:)``. Both run the fused kernels of
/// `HiSoKernels.FusedZOStep` and `PerturbationKernels.accumulate`, the ones `hiso-bench kernels`
/// measures.
///
/// Step `k` uses the seed `StepSeed.derive(runSeed, round, k)` shared by every sampled client,
/// the client's own batch for `(round, k)`, and, for `k < tau - 1`, the client's own update
/// `x_local <- x_local - lr (1/P) sum_p g_{k,p} s ⊙ z_{k,p}`. The round-start model is never
/// modified: with `tau = 1` the estimate is taken at it directly; with `tau > 1` a local copy is
/// stepped (the only case that needs a second d-vector).
///
/// Memory: a `d`-float workspace for perturbed points (the fused step's), plus a `d`-float local
/// model when `tau > 1`. One trainer can serve many simulated clients in turn; it owns its
/// buffers, so it is not copyable.
public struct LocalTrainer: ~Copyable, Sendable {
    /// The estimator (`P`, `mu`, scheme).
    public let estimator: ZOEstimator
    /// `tau`, the local steps per round.
    public let localSteps: Int
    private let step: FusedZOStep
    private var local: [Float]

    /// Makes a trainer for `dimension` parameters on `backend`.
    ///
    /// - Precondition: `localSteps >= 1`.
    public init(estimator: ZOEstimator, localSteps: Int, dimension: Int, backend: any KernelBackend) {
        precondition(localSteps >= 1, "localSteps must be at least 1")
        self.estimator = estimator
        self.localSteps = localSteps
        step = FusedZOStep(backend: backend, dimension: dimension, mode: .cached)
        local = localSteps > 1 ? [Float](repeating: 0, count: dimension) : []
    }

    /// The backend the passes run on.
    public var backend: any KernelBackend { step.backend }

    /// Runs the round's `tau` local steps from `x` and writes their scalars.
    ///
    /// - Parameters:
    ///   - x: the round-start model (`d` floats), not modified.
    ///   - scale: the frozen `s = H^(-1/2)` of the round, `nil` for DeComFL.
    ///   - runSeed: the run seed.
    ///   - round: the round index.
    ///   - learningRate: the round's learning rate (local updates when `tau > 1`).
    ///   - scalars: receives `tau q` scalars, step-major, `q` = ``ZOEstimator/scalarsPerStep``
    ///     (step `k`: `g_{k,0..<P}`, then with curvature `c_{k,0..<P}`).
    ///   - loss: the loss at a point for local step `k`.
    /// - Returns: the loss value of local step 0 (see `FusedZOStep.estimate`).
    /// - Complexity: `tau` estimates (`P` or `2 P` passes each; ``ZOEstimator/lossEvaluations``
    ///   loss calls) and `tau - 1` update passes.
    public mutating func run(
        at x: UnsafeBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, runSeed: UInt64, round: UInt64,
        learningRate: Float, scalars: UnsafeMutableBufferPointer<Float>,
        loss: (_ parameters: UnsafeBufferPointer<Float>, _ step: Int) throws -> Float
    ) rethrows -> Float {
        let (p, q) = (estimator.perturbations, estimator.scalarsPerStep)
        precondition(scalars.count == localSteps * q, "scalars has \(scalars.count) slots for tau * q = \(localSteps * q)")
        let (mu, scheme, steps) = (estimator.mu, estimator.scheme, localSteps)
        let curvature = estimator.curvature
        func slots(_ k: Int) -> (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>?) {
            let g = UnsafeMutableBufferPointer(rebasing: scalars[(k * q)..<(k * q + p)])
            return (g, curvature ? UnsafeMutableBufferPointer(rebasing: scalars[(k * q + p)..<((k + 1) * q)]) : nil)
        }
        if steps == 1 {
            let seed = StepSeed.derive(runSeed: runSeed, round: round, step: 0)
            let (g, c) = slots(0)
            return try step.estimate(at: x, scale: scale, seed: seed, mu: mu, scheme: scheme, scalars: g, curvature: c) {
                try loss($0, 0)
            }
        }
        var firstLoss: Float = 0
        let backend = step.backend
        try local.withUnsafeMutableBufferPointer { model in
            _ = model.update(fromContentsOf: x)
            for k in 0..<steps {
                let seed = StepSeed.derive(runSeed: runSeed, round: round, step: k)
                let (g, c) = slots(k)
                let value = try step.estimate(
                    at: UnsafeBufferPointer(model), scale: scale, seed: seed, mu: mu, scheme: scheme, scalars: g,
                    curvature: c
                ) { try loss($0, k) }
                if k == 0 { firstLoss = value }
                if k < steps - 1 {
                    ZOUpdate.apply(
                        to: model, scalars: UnsafeBufferPointer(g), scale: scale, seed: seed, learningRate: learningRate,
                        backend: backend)
                }
            }
        }
        return firstLoss
    }
}
