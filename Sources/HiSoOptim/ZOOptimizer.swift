import HiSoKernels

/// A centralised zeroth-order optimizer for any model that can evaluate its loss: MeZO with the
/// identity preconditioner, centralised HiSo with ``HiSoPreconditioner``.
///
/// Each call to `step(_:batch:loss:)` is one round with one local step, run through the package's
/// one round loop (a federated party with one always-sampled client):
/// 1. `seed = StepSeed.derive(runSeed, round, 0)`, `eta = schedule(round)`;
/// 2. ``LocalTrainer`` measures `g_p`, `p < P`, on the caller's batch (the fused estimate);
/// 3. ``RoundRecord/apply(to:preconditioner:backend:)`` applies
///    `x <- x - eta (1/P) sum_p g_p s ⊙ z_p` and updates the preconditioner from the round's
///    record (with `g` as the single client's scalars when it needs per-client scalars).
///
/// The same scalars fed to a federated server with one always-sampled client give the same bits
/// (that is the "centralised MeZO" baseline of docs/ALGORITHM.md).
///
/// Memory: in ``Mode/outOfPlace`` a `d`-float workspace (perturbed points are written there,
/// `x` is only modified by the update); in ``Mode/inPlace`` none: `x` itself is perturbed and
/// restored, and the restore of the last direction is fused into the update pass (see ``Mode``).
/// Plus `P` floats of scalars and the preconditioner's state. It owns these buffers, so it is
/// not copyable.
public struct ZOOptimizer: ~Copyable, Sendable {
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
    public var estimator: ZOEstimator { trainer.estimator }
    /// The learning-rate schedule.
    public let schedule: LearningRateSchedule
    /// The run seed from which step seeds are derived.
    public let runSeed: UInt64
    /// Where perturbed points live.
    public let mode: Mode
    /// The kernels.
    public var backend: any KernelBackend { trainer.backend }
    /// The preconditioner (identity, HiSo, oracle, ...), updated after every step.
    public private(set) var preconditioner: any Preconditioner
    /// The index of the next step.
    public private(set) var round: UInt64 = 0
    private var trainer: LocalTrainer
    private let inPlace: FusedZOStep
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
    ///   the schedule is invalid, the preconditioner needs second differences the estimator does
    ///   not measure, or second differences are asked in place (they need `f(x)` at the unperturbed
    ///   point, which the in-place walk does not revisit).
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
        guard preconditioner.needsCurvatureScalars == estimator.curvature else {
            throw .invalidParameter(
                name: "curvature", value: estimator.curvature ? 1 : 0,
                expected: "second differences exactly when the preconditioner learns from them")
        }
        guard !estimator.curvature || mode == .outOfPlace else {
            throw .invalidParameter(name: "curvature", value: 1, expected: "the out-of-place mode")
        }
        self.dimension = dimension
        self.schedule = schedule
        self.runSeed = runSeed
        self.mode = mode
        self.preconditioner = preconditioner
        trainer = LocalTrainer(
            estimator: estimator, localSteps: 1, dimension: mode == .outOfPlace ? dimension : 0, backend: backend)
        inPlace = FusedZOStep(backend: backend, dimension: dimension, mode: .regenerate)
        scalars = [Float](repeating: 0, count: estimator.scalarsPerStep)
    }

    /// One step on `parameters` with the caller's batch.
    ///
    /// - Parameters:
    ///   - parameters: the `d` parameters, updated in place.
    ///   - batch: passed through to `loss` (use `()` for deterministic losses).
    ///   - loss: the loss of a parameter vector on `batch`.
    /// - Returns: the step's report, including its ``RoundRecord``.
    /// - Throws: ``OptimError/nonFiniteLoss(round:value:)`` or ``OptimError/nonFiniteScalar(round:index:value:)``
    ///   (the parameters are left as they were), ``OptimError/dimensionMismatch(what:expected:found:)``,
    ///   or whatever `loss` throws.
    /// - Complexity: `P + 1` (forward) or `2 P` (central) loss evaluations and `P` to `3 P`
    ///   perturbation passes, one update pass, the preconditioner's update.
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
        let runSeed = self.runSeed
        let record: RoundRecord
        let value: Float
        switch mode {
        case .outOfPlace:
            value = try frozen.withScale { scale in
                try scalars.withUnsafeMutableBufferPointer { g in
                    try trainer.run(
                        at: UnsafeBufferPointer(parameters), scale: scale, runSeed: runSeed, round: round,
                        learningRate: eta, scalars: g) { x, _ in try loss(x, batch) }
                }
            }
            try checkFinite(value, round: round)
            record = makeRecord(round: round, seed: seed, eta: eta)
            try record.apply(to: parameters, preconditioner: &preconditioner, backend: backend)
        case .inPlace:
            value = try frozen.withScale { scale in try inPlaceStep(parameters, scale: scale, seed: seed, eta: eta, round: round) { try loss($0, batch) } }
            record = makeRecord(round: round, seed: seed, eta: eta)
            try preconditioner.update(after: record, backend: backend)
        }
        self.round = round + 1
        return StepReport(round: round, loss: value, learningRate: eta, record: record)
    }

    /// ``step(_:batch:loss:)`` on an array.
    @discardableResult
    public mutating func step<Batch>(
        _ parameters: inout [Float], batch: Batch, loss: (UnsafeBufferPointer<Float>, Batch) throws -> Float
    ) throws -> StepReport {
        try parameters.withUnsafeMutableBufferPointer { try step($0, batch: batch, loss: loss) }
    }

    /// The step's record, with `g` as the single client's scalars when the preconditioner needs
    /// them, and the second differences when it learns from them.
    private func makeRecord(round: UInt64, seed: UInt64, eta: Float) -> RoundRecord {
        let p = estimator.perturbations
        let g = Array(scalars[0..<p])
        let perClient: [[Float]]? = preconditioner.needsPerClientScalars ? [g] : nil
        let curvature: [Float]? = estimator.curvature ? Array(scalars[p...]) : nil
        return RoundRecord(
            round: round,
            steps: [StepScalars(seed: seed, learningRate: eta, aggregated: g, perClient: perClient, curvature: curvature)])
    }

    /// The in-place estimate (``FusedZOStep``) and the update with the last restore folded in.
    private mutating func inPlaceStep(
        _ x: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64, eta: Float,
        round: UInt64, loss: (UnsafeBufferPointer<Float>) throws -> Float
    ) throws -> Float {
        let (mu, scheme, count) = (estimator.mu, estimator.scheme, estimator.perturbations)
        let (value, restore) = try scalars.withUnsafeMutableBufferPointer { g in
            try inPlace.estimate(inPlace: x, scale: scale, seed: seed, mu: mu, scheme: scheme, scalars: g, loss: loss)
        }
        do {
            try checkFinite(value, round: round)
        } catch {
            backend.perturb(x, alpha: restore, scale: scale, seed: seed, stream: UInt64(count - 1), offset: 0)
            throw error
        }
        let backend = self.backend
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
