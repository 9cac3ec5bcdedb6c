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
/// With ``curvature`` (central scheme only; `hiso-curv`, ``CurvaturePreconditioner``) each
/// direction also gives its second difference `c_p = (f(x + mu u_p) + f(x - mu u_p) - 2 f(x)) / mu^2`,
/// about `u_pᵀ ∇²f u_p`: `2 P` scalars per step (`g_0 ..< g_P`, then `c_0 ..< c_P`) from `2 P + 1`
/// loss evaluations.
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
    /// Whether each step also measures the second differences `c_p` (central scheme only).
    public let curvature: Bool

    /// Makes an estimator.
    ///
    /// - Throws: ``OptimError/invalidParameter(name:value:expected:)`` when `perturbations < 1`,
    ///   `mu` is not positive and finite, or `curvature` is asked with forward differences.
    public init(
        perturbations: Int, mu: Float, scheme: DifferenceScheme = .forward, curvature: Bool = false
    ) throws(OptimError) {
        guard perturbations >= 1 else {
            throw .invalidParameter(name: "perturbations", value: Double(perturbations), expected: "at least 1")
        }
        guard mu.isFinite, mu > 0 else {
            throw .invalidParameter(name: "mu", value: Double(mu), expected: "a positive finite radius")
        }
        guard !curvature || scheme == .central else {
            throw .invalidParameter(name: "curvature", value: 1, expected: "central differences (second differences need f(x - mu u))")
        }
        self.perturbations = perturbations
        self.mu = mu
        self.scheme = scheme
        self.curvature = curvature
    }

    private enum CodingKeys: String, CodingKey { case perturbations, mu, scheme, curvature }

    /// Decodes and validates an estimator (a missing `curvature` key means `false`).
    ///
    /// - Throws: `DecodingError` for a malformed value, ``OptimError`` for invalid `P` or `mu`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            perturbations: try c.decode(Int.self, forKey: .perturbations), mu: try c.decode(Float.self, forKey: .mu),
            scheme: try c.decode(DifferenceScheme.self, forKey: .scheme),
            curvature: try c.decodeIfPresent(Bool.self, forKey: .curvature) ?? false)
    }

    /// Loss evaluations per step: `P + 1` (forward), `2 P` (central) or `2 P + 1` (central with
    /// curvature).
    public var lossEvaluations: Int { scheme.lossEvaluations(perturbations: perturbations) + (curvature ? 1 : 0) }

    /// Scalars per step: `P`, or `2 P` with curvature (`g_p`, then `c_p`).
    public var scalarsPerStep: Int { curvature ? 2 * perturbations : perturbations }
}
