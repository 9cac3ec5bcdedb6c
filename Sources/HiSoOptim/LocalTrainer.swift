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
/// model that ``run(at:scale:runSeed:round:learningRate:scalars:loss:)`` allocates once, in its first
/// round with `tau > 1` (``train(from:into:scale:runSeed:round:learningRate:scalars:loss:)`` steps the
/// caller's buffer instead). One trainer can serve many simulated clients in turn; it owns its
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
        local = []
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
        let q = estimator.scalarsPerStep
        precondition(scalars.count == localSteps * q, "scalars has \(scalars.count) slots for tau * q = \(localSteps * q)")
        if localSteps == 1 {
            let seed = StepSeed.derive(runSeed: runSeed, round: round, step: 0)
            let (g, c) = Self.slots(scalars, step: 0, estimator: estimator)
            return try step.estimate(
                at: x, scale: scale, seed: seed, mu: estimator.mu, scheme: estimator.scheme, scalars: g, curvature: c
            ) {
                try loss($0, 0)
            }
        }
        if local.count != x.count { local = [Float](repeating: 0, count: x.count) }
        return try local.withUnsafeMutableBufferPointer { model in
            _ = model.update(fromContentsOf: x)
            return try Self.steps(
                step, estimator: estimator, localSteps: localSteps, model: model, scale: scale, runSeed: runSeed, round: round, learningRate: learningRate, scalars: scalars,
                updateLast: false, loss: loss)
        }
    }

    /// Runs `tau` local ZO-SGD steps from `x` and applies every step's update, the last one
    /// included, leaving the local model in `model` (the full-vector baseline FedZO, whose
    /// clients upload `x_local - x`).
    ///
    /// Step `k` uses `StepSeed.derive(runSeed, round, k)`, the loss of step `k`, then
    /// `model <- model - lr (1/P) sum_p g_{k,p} s ⊙ z_{k,p}`.
    ///
    /// - Parameters:
    ///   - x: the round-start model (`d` floats), not modified.
    ///   - model: receives the local model after `tau` steps (`d` floats).
    ///   - scale: `s = H^(-1/2)`, `nil` for plain ZO-SGD.
    ///   - runSeed: the seed stream of the directions (FedZO: the client's own).
    ///   - round: the round index.
    ///   - learningRate: the local learning rate.
    ///   - scalars: receives `tau q` scalars, step-major (as ``run(at:scale:runSeed:round:learningRate:scalars:loss:)``).
    ///   - loss: the loss at a point for local step `k`.
    /// - Returns: the loss value of local step 0.
    /// - Complexity: `tau` estimates and `tau` update passes; no allocation.
    public func train(
        from x: UnsafeBufferPointer<Float>, into model: UnsafeMutableBufferPointer<Float>,
        scale: UnsafeBufferPointer<Float>?, runSeed: UInt64, round: UInt64, learningRate: Float,
        scalars: UnsafeMutableBufferPointer<Float>,
        loss: (_ parameters: UnsafeBufferPointer<Float>, _ step: Int) throws -> Float
    ) rethrows -> Float {
        precondition(model.count == x.count, "model has \(model.count) floats for d = \(x.count)")
        precondition(scalars.count == localSteps * estimator.scalarsPerStep, "scalars has \(scalars.count) slots for tau * q")
        _ = model.update(fromContentsOf: x)
        return try Self.steps(
            step, estimator: estimator, localSteps: localSteps, model: model, scale: scale, runSeed: runSeed, round: round, learningRate: learningRate, scalars: scalars,
            updateLast: true, loss: loss)
    }

    /// The local steps on `model`, in place; the last step's update only when `updateLast`.
    private static func steps(
        _ step: borrowing FusedZOStep, estimator: ZOEstimator, localSteps: Int, model: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, runSeed: UInt64, round: UInt64,
        learningRate: Float, scalars: UnsafeMutableBufferPointer<Float>, updateLast: Bool,
        loss: (_ parameters: UnsafeBufferPointer<Float>, _ step: Int) throws -> Float
    ) rethrows -> Float {
        let (mu, scheme) = (estimator.mu, estimator.scheme)
        var firstLoss: Float = 0
        for k in 0..<localSteps {
            let seed = StepSeed.derive(runSeed: runSeed, round: round, step: k)
            let (g, c) = slots(scalars, step: k, estimator: estimator)
            let value = try step.estimate(
                at: UnsafeBufferPointer(model), scale: scale, seed: seed, mu: mu, scheme: scheme, scalars: g, curvature: c
            ) { try loss($0, k) }
            if k == 0 { firstLoss = value }
            if k < localSteps - 1 || updateLast {
                ZOUpdate.apply(
                    to: model, scalars: UnsafeBufferPointer(g), scale: scale, seed: seed, learningRate: learningRate,
                    backend: step.backend)
            }
        }
        return firstLoss
    }

    /// Step `k`'s slots in a step-major scalar buffer: its `P` projected gradients and, with
    /// curvature, its `P` second differences right after them.
    private static func slots(
        _ scalars: UnsafeMutableBufferPointer<Float>, step k: Int, estimator: ZOEstimator
    ) -> (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>?) {
        let (p, q) = (estimator.perturbations, estimator.scalarsPerStep)
        let g = UnsafeMutableBufferPointer(rebasing: scalars[(k * q)..<(k * q + p)])
        return (g, estimator.curvature ? UnsafeMutableBufferPointer(rebasing: scalars[(k * q + p)..<((k + 1) * q)]) : nil)
    }
}
