import HiSoKernels

/// The zeroth-order gradient estimator: `P` seeded directions and one finite difference each.
///
/// For step seed `seed`, direction `p` is `u_p = s ⊙ z(seed, p)` (`s` the preconditioner's scale
/// `H^(-1/2)`, or 1) and the scalar is
/// - forward: `g_p = (f(x + mu u_p) - f(x)) / mu`;
/// - central: `g_p = (f(x + mu u_p) - f(x - mu u_p)) / (2 mu)`.
///
/// The gradient estimate is then `(1/P) sum_p g_p u_p`; it is never formed here: parties exchange
/// the `g_p` and replay it with ``ZOUpdate``.
///
/// The value holds the estimator's parameters; the measurement runs in ``LocalTrainer`` (the fused
/// estimate of `HiSoKernels.FusedZOStep`, which writes perturbed points out of place, so `x` stays
/// bit-exact). All losses of one step must use the same batch: the loss closure captures it.
public struct ZOEstimator: Sendable, Equatable, Codable {
    /// The number of directions `P` per step (at least 1).
    public let perturbations: Int
    /// The perturbation radius `mu` (positive, finite).
    public let mu: Float
    /// Forward or central differences.
    public let scheme: DifferenceScheme

    /// Makes an estimator.
    ///
    /// - Throws: ``OptimError/invalidParameter(name:value:expected:)`` when `perturbations < 1`
    ///   or `mu` is not positive and finite.
    public init(perturbations: Int, mu: Float, scheme: DifferenceScheme = .forward) throws(OptimError) {
        guard perturbations >= 1 else {
            throw .invalidParameter(name: "perturbations", value: Double(perturbations), expected: "at least 1")
        }
        guard mu.isFinite, mu > 0 else {
            throw .invalidParameter(name: "mu", value: Double(mu), expected: "a positive finite radius")
        }
        self.perturbations = perturbations
        self.mu = mu
        self.scheme = scheme
    }

    private enum CodingKeys: String, CodingKey { case perturbations, mu, scheme }

    /// Decodes and validates an estimator.
    ///
    /// - Throws: `DecodingError` for a malformed value, ``OptimError`` for invalid `P` or `mu`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            perturbations: try c.decode(Int.self, forKey: .perturbations), mu: try c.decode(Float.self, forKey: .mu),
            scheme: try c.decode(DifferenceScheme.self, forKey: .scheme))
    }

    /// Loss evaluations per step: `P + 1` (forward) or `2 P` (central).
    public var lossEvaluations: Int { scheme.lossEvaluations(perturbations: perturbations) }
}
