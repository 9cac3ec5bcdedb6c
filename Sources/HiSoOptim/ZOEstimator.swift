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
/// Perturbed points are written **out of place** into a caller-owned workspace, so `x` is never
/// modified and stays bit-exact, and at most one direction exists at any time (the workspace holds
/// `x + mu u_p`, never `u_p` itself). All losses of one step must use the same batch: the loss
/// closure captures it.
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

    /// Evaluates the `P` finite-difference scalars at `x`.
    ///
    /// - Parameters:
    ///   - x: the parameters (`d` floats); read only, bit-exact afterwards.
    ///   - scale: `s = H^(-1/2)` (`d` floats) or `nil` for the identity (DeComFL).
    ///   - seed: the step seed (``StepSeed/derive(runSeed:round:step:)``).
    ///   - workspace: `d` floats, overwritten with the perturbed points; reused across steps.
    ///   - backend: the kernels that generate the directions.
    ///   - scalars: receives `g_0 ..< g_P` (`P` floats).
    ///   - loss: the loss on this step's batch, evaluated at the given parameters.
    /// - Returns: `f(x)` for forward differences; the mean of `(f(x + mu u_p) + f(x - mu u_p)) / 2`
    ///   over `p` for central differences (no extra pass at `x`).
    ///
    /// Complexity: `P` direction generations and ``lossEvaluations`` loss calls.
    /// Memory: nothing beyond `workspace` and `scalars`.
    public func estimate(
        at x: UnsafeBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64,
        workspace: UnsafeMutableBufferPointer<Float>, backend: any KernelBackend,
        scalars: UnsafeMutableBufferPointer<Float>,
        loss: (UnsafeBufferPointer<Float>) throws -> Float
    ) rethrows -> Float {
        precondition(workspace.count == x.count, "workspace has \(workspace.count) floats, x has \(x.count)")
        precondition(scale == nil || scale!.count == x.count, "scale length differs from x")
        precondition(scalars.count == perturbations, "scalars has \(scalars.count) slots for P = \(perturbations)")
        let point = UnsafeBufferPointer(workspace)
        switch scheme {
        case .forward:
            let base = try loss(x)
            for p in 0..<perturbations {
                backend.perturbed(x, into: workspace, alpha: mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                scalars[p] = (try loss(point) - base) / mu
            }
            return base
        case .central:
            var mean: Float = 0
            for p in 0..<perturbations {
                backend.perturbed(x, into: workspace, alpha: mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                let plus = try loss(point)
                backend.perturbed(x, into: workspace, alpha: -mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                let minus = try loss(point)
                scalars[p] = (plus - minus) / (2 * mu)
                mean += (plus + minus) / 2
            }
            return mean / Float(perturbations)
        }
    }
}
