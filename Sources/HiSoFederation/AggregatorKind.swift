/// How the server combines the sampled clients' upload vectors (scalars, or d-dimensional deltas).
///
/// With `n` uploads and `f` = ``RunConfiguration/byzantineCount``:
/// - ``mean``: coordinate-wise mean. Tolerates no attacker.
/// - ``median``: coordinate-wise median (mean of the two middle values for even `n`).
///   Tolerates `f < n / 2` attackers per coordinate.
/// - ``trimmedMean``: per coordinate, drops the `f` largest and `f` smallest values and averages
///   the rest. Needs `n > 2 f`; tolerates `f` attackers.
/// - ``krum``: returns the upload whose summed squared distance to its `n - f - 2` nearest other
///   uploads is smallest (Blanchard et al., 2017). Needs `n >= 2 f + 3`; tolerates `f` attackers.
public enum AggregatorKind: String, Codable, Sendable, CaseIterable {
    case mean
    case median
    case trimmedMean = "trimmed-mean"
    case krum
}

/// The simulated attack a malicious client applies to its upload before sending it.
///
/// - ``none``: no attackers.
/// - ``gaussian``: adds `strength * N(0, 1)` noise to every entry (seeded by run seed, round, client).
/// - ``signFlip``: sends `-strength * v`.
/// - ``scaling``: sends `strength * v`.
public enum AttackKind: String, Codable, Sendable, CaseIterable {
    case none
    case gaussian
    case signFlip = "sign-flip"
    case scaling
}

/// The HiSo Hessian update rule (docs/ALGORITHM.md, "HiSo").
///
/// - ``peer``: `H <- beta H + (1 - beta) Delta_k^2` from the aggregated update of the chosen step.
/// - ``paper``: Eq. 12, `H <- (1 - nu) H + nu (1/m) sum_i (Delta^(i)_{r,0}^2 + epsilon)`; needs the
///   per-client scalars of step 0 downlink (counted by the ledger).
/// - ``curvature``: `hiso-curv`, `H` follows an EMA of the Stein estimate of
///   `diag(∇²f)` from the aggregated second differences (`HiSoOptim.CurvaturePreconditioner`);
///   needs central differences, and clients upload `2 P` scalars per step.
public enum HessianRule: String, Codable, Sendable, CaseIterable {
    case peer
    case paper
    case curvature
}

/// The learning-rate schedule over rounds (mapped onto HiSoOptim's `LearningRateSchedule`).
///
/// - ``constant``: `lr`.
/// - ``step``: `lr * decay^(floor(round / every))`.
/// - ``cosine``: `floor + (lr - floor) (1 + cos(pi round / rounds)) / 2`, with `floor = lr * minimumFraction`.
public enum ScheduleKind: String, Codable, Sendable, CaseIterable {
    case constant
    case step
    case cosine
}
