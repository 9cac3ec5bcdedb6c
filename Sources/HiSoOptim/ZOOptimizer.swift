import HiSoKernels

/// A centralised zeroth-order optimizer for any model that can evaluate its loss: MeZO with the
/// identity preconditioner, centralised HiSo with ``HiSoPreconditioner``.
///
/// Each call to `step(_:batch:loss:)` is one round with one local step:
/// 1. `seed = StepSeed.derive(runSeed, round, 0)`, `eta = schedule(round)`;
/// 2. the ``ZOEstimator`` measures `g_p`, `p < P`, on the caller's batch;
/// 3. ``ZOUpdate`` applies `x <- x - eta (1/P) sum_p g_p s ⊙ z_p`;
/// 4. the preconditioner updates from the round's ``RoundRecord`` (with `g` as the single
///    client's scalars when it needs per-client scalars).
///
/// The same scalars fed to a federated server with one always-sampled client give the same bits
/// (that is the "centralised MeZO" baseline of ALGORITHM.md).
///
/// Memory: in ``Mode/outOfPlace`` a `d`-float workspace (perturbed points are written there,
/// `x` is only modified by the update); in ``Mode/inPlace`` none: `x` itself is perturbed and
/// restored, and the restore of the last direction is fused into the update pass (see ``Mode``).
/// Plus `P` floats of scalars and the preconditioner's state.
public struct ZOOptimizer: Sendable {
    /// Where perturbed points live.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// `x + mu u_p` is written into a reused `d`-float workspace; `x` stays bit-exact during the
        /// estimate, so the step equals what a federated server replays from the scalars.
        case outOfPlace
        /// MeZO's memory-frugal mode: `x` is perturbed in place (`perturb`), restored after each
        /// direction, and the restore of the last direction is folded into the update's
        /// coefficient on that stream (`accumulate` with `c_{P-1} - mu`, or `+ mu` for central
        /// differences), one fused pass. No `d`-sized workspace. Restores are floating-point
        /// inverses, not exact, so the result differs from ``outOfPlace`` in the last bits; and if
        /// the loss closure throws mid-step, `x` is left perturbed by one direction.
        case inPlace
    }

    /// What one step did.
    public struct StepReport: Sendable, Equatable {
        /// The round index of the step.
        public var round: UInt64
        /// The loss at the start of the step (forward differences) or the mean of the perturbed
        /// losses (central differences), on the step's batch.
        public var loss: Float
        /// The learning rate used.
        public var learningRate: Float
        /// The scalars of the step, as a federated round log would hold them.
        public var record: RoundRecord
    }

    /// The number of parameters `d`.
    public let dimension: Int
    /// The finite-difference estimator.
    public let estimator: ZOEstimator
    /// The learning-rate schedule.
    public let schedule: LearningRateSchedule
    /// The run seed from which step seeds are derived.
    public let runSeed: UInt64
    /// Where perturbed points live.
    public let mode: Mode
    /// The kernels.
    public let backend: any KernelBackend
    /// The preconditioner (identity, HiSo, oracle, ...), updated after every step.
    public private(set) var preconditioner: any Preconditioner
    /// The index of the next step.
    public private(set) var round: UInt64 = 0
    private var workspace: [Float]
    private var scalars: [Float]

    /// Makes an optimizer.
    ///
    /// - Parameters:
    ///   - dimension: `d`, the length of the parameter buffer.
    ///   - estimator: `P`, `mu` and the difference scheme.
    ///   - schedule: the learning rate per round.
    ///   - runSeed: the seed of the run; the whole trajectory is a function of it.
    ///   - preconditioner: ``IdentityPreconditioner`` (MeZO), ``HiSoPreconditioner`` or another.
    ///   - mode: ``Mode/outOfPlace`` (default) or ``Mode/inPlace``.
    ///   - backend: the kernels (`Kernels.backend(_:threads:)` in HiSoKernels).
    /// - Throws: ``OptimError`` when `d < 1`, the preconditioner's dimension differs from `d`,
    ///   or the schedule is invalid.
    public init(
        dimension: Int, estimator: ZOEstimator, schedule: LearningRateSchedule, runSeed: UInt64,
        preconditioner: any Preconditioner = IdentityPreconditioner(), mode: Mode = .outOfPlace,
        backend: any KernelBackend
    ) throws(OptimError) {
        guard dimension >= 1 else {
            throw .invalidParameter(name: "dimension", value: Double(dimension), expected: "at least 1")
        }
        if let s = preconditioner.scale, s.count != dimension {
            throw .dimensionMismatch(what: "preconditioner scale", expected: dimension, found: s.count)
        }
        try schedule.validate()
        self.dimension = dimension
        self.estimator = estimator
        self.schedule = schedule
        self.runSeed = runSeed
        self.mode = mode
        self.backend = backend
        self.preconditioner = preconditioner
        workspace = mode == .outOfPlace ? [Float](repeating: 0, count: dimension) : []
        scalars = [Float](repeating: 0, count: estimator.perturbations)
    }

    /// Runs one step on `parameters` with the loss of one batch.
    ///
    /// - Parameters:
    ///   - parameters: `x` (`d` floats), updated in place.
    ///   - batch: the batch every loss evaluation of this step uses.
    ///   - loss: `f(x; batch)`; it receives candidate parameters (the workspace or, in place, `x`).
    /// - Returns: the step's report.
    /// - Throws: ``OptimError/dimensionMismatch(what:expected:found:)`` for a wrong-length buffer,
    ///   ``OptimError/nonFiniteLoss(round:value:)`` or ``OptimError/nonFiniteScalar(round:index:value:)``
    ///   when the run diverged (then `parameters` are left as they were before the step, up to the
    ///   in-place restore), and whatever `loss` throws.
    ///
    /// Complexity: ``ZOEstimator/lossEvaluations`` loss calls, `2 P` direction generations
    /// (out of place) plus the preconditioner update.
    @discardableResult
    public mutating func step<Batch>(
        _ parameters: UnsafeMutableBufferPointer<Float>, batch: Batch,
        loss: (UnsafeBufferPointer<Float>, Batch) throws -> Float
    ) throws -> StepReport {
        guard parameters.count == dimension else {
            throw OptimError.dimensionMismatch(what: "parameters", expected: dimension, found: parameters.count)
        }
        let round = self.round
        let seed = StepSeed.derive(runSeed: runSeed, round: round, step: 0)
        let eta = schedule.learningRate(round: round)
        let frozen = preconditioner
        let value: Float = try frozen.withScale { scale in
            switch mode {
            case .outOfPlace:
                return try outOfPlaceStep(parameters, scale: scale, seed: seed, eta: eta, round: round) { try loss($0, batch) }
            case .inPlace:
                return try inPlaceStep(parameters, scale: scale, seed: seed, eta: eta, round: round) { try loss($0, batch) }
            }
        }
        let perClient: [[Float]]? = preconditioner.needsPerClientScalars ? [scalars] : nil
        let record = RoundRecord(
            round: round, steps: [StepScalars(seed: seed, learningRate: eta, aggregated: scalars, perClient: perClient)])
        try preconditioner.update(after: record, backend: backend)
        self.round = round + 1
        return StepReport(round: round, loss: value, learningRate: eta, record: record)
    }

    /// `step(_:batch:loss:)` on an array, for parameters you keep in a `[Float]`.
    @discardableResult
    public mutating func step<Batch>(
        _ parameters: inout [Float], batch: Batch, loss: (UnsafeBufferPointer<Float>, Batch) throws -> Float
    ) throws -> StepReport {
        try parameters.withUnsafeMutableBufferPointer { try step($0, batch: batch, loss: loss) }
    }

    private mutating func outOfPlaceStep(
        _ x: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64, eta: Float,
        round: UInt64, loss: (UnsafeBufferPointer<Float>) throws -> Float
    ) throws -> Float {
        let estimator = self.estimator
        let backend = self.backend
        let value = try workspace.withUnsafeMutableBufferPointer { ws in
            try scalars.withUnsafeMutableBufferPointer { g in
                try estimator.estimate(
                    at: UnsafeBufferPointer(x), scale: scale, seed: seed, workspace: ws, backend: backend, scalars: g,
                    loss: loss)
            }
        }
        try checkFinite(value, round: round)
        scalars.withUnsafeBufferPointer { g in
            ZOUpdate.apply(to: x, scalars: g, scale: scale, seed: seed, learningRate: eta, backend: backend)
        }
        return value
    }

    private mutating func inPlaceStep(
        _ x: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64, eta: Float,
        round: UInt64, loss: (UnsafeBufferPointer<Float>) throws -> Float
    ) throws -> Float {
        let mu = estimator.mu
        let count = estimator.perturbations
        let last = UInt64(count - 1)
        let point = UnsafeBufferPointer(x)
        var value: Float = 0
        // `restore` is the coefficient that undoes the perturbation left on stream P-1.
        let restore: Float
        switch estimator.scheme {
        case .forward:
            value = try loss(point)
            for p in 0..<count {
                backend.perturb(x, alpha: mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                scalars[p] = (try loss(point) - value) / mu
                if p < count - 1 {
                    backend.perturb(x, alpha: -mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                }
            }
            restore = -mu
        case .central:
            for p in 0..<count {
                backend.perturb(x, alpha: mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                let plus = try loss(point)
                backend.perturb(x, alpha: -2 * mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                let minus = try loss(point)
                scalars[p] = (plus - minus) / (2 * mu)
                value += (plus + minus) / 2
                if p < count - 1 {
                    backend.perturb(x, alpha: mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                }
            }
            value /= Float(count)
            restore = mu
        }
        do {
            try checkFinite(value, round: round)
        } catch {
            backend.perturb(x, alpha: restore, scale: scale, seed: seed, stream: last, offset: 0)
            throw error
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: count) { c in
            scalars.withUnsafeBufferPointer { g in ZOUpdate.coefficients(scalars: g, learningRate: eta, into: c) }
            c[count - 1] += restore
            backend.accumulate(x, coefficients: UnsafeBufferPointer(c), scale: scale, seed: seed, offset: 0)
        }
        return value
    }

    private func checkFinite(_ value: Float, round: UInt64) throws(OptimError) {
        guard value.isFinite else { throw .nonFiniteLoss(round: round, value: value) }
        if let bad = scalars.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteScalar(round: round, index: bad, value: scalars[bad])
        }
    }
}
