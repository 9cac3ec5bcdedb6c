/// The finite-difference scheme of the zeroth-order estimator.
///
/// With direction `u_p = s ⊙ z_p` and radius `mu`:
/// - ``forward``: `g_p = (f(x + mu u_p) - f(x)) / mu`, `P + 1` loss evaluations per step;
/// - ``central``: `g_p = (f(x + mu u_p) - f(x - mu u_p)) / (2 mu)`, `2 P` loss evaluations.
public enum DifferenceScheme: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// `(f(x + mu u) - f(x)) / mu`.
    case forward
    /// `(f(x + mu u) - f(x - mu u)) / (2 mu)`.
    case central

    /// Loss evaluations per step for `perturbations` directions.
    public func lossEvaluations(perturbations: Int) -> Int {
        switch self {
        case .forward: return perturbations + 1
        case .central: return 2 * perturbations
        }
    }

    /// The raw value (`forward` or `central`).
    public var description: String { rawValue }
}
