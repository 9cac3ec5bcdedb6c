import HiSoKernels

/// `hiso-curv`: a diagonal preconditioner that follows an EMA of the Stein estimate of the
/// curvature `diag(∇²f)`, rebuilt by every party from the aggregated second differences and the
/// shared seeds (docs/ALGORITHM.md, "hiso-curv").
///
/// With `u = s ⊙ z`, `z ~ N(0, I)` and `c = uᵀ A u` (the central second difference of a
/// quadratic, up to rounding), Stein's identity gives `E[c (z_j² - 1)] = 2 s_j² A_jj`. So, per
/// round, with `tau` steps of `P` directions and aggregated second differences `cbar_{k,p}`:
///
///     D_j = 1 / (2 s_j² tau P) · sum_k sum_p (cbar_{k,p} - b_{k,p}) (z_{k,p,j}² - 1)
///     E_j ← (1 - w_t) E_j + w_t D_j,   w_t = max(1 / t, 1 - beta)   (t = 1, 2, ... the update count)
///     m = mean_i max(E_i, 0),   T_j = max(E_j, phi m) / m
///     H_j ← min(max(T_j, H_j / rho), rho H_j),   s_j = 1 / sqrt(H_j)
///
/// - `b_{k,p}` is the mean of the other `P - 1` second differences of step `k` (0 when `P = 1`):
///   a control variate independent of `z_{k,p}`, so `D_j` stays unbiased, that removes the bulk
///   `E[c] = Σ_i s_i² A_ii` from every term; its variance per direction drops from about
///   `2 (Σ_i s_i² A_ii)²` to about `4 Σ_i (s_i² A_ii)²` (a factor `d / 2` when `s` fits `A`).
/// - `E` is the unclipped average: averaging is what removes the estimator's noise, so it is
///   never clipped. The weight `max(1/t, 1 - beta)` makes it the plain mean of the first
///   `1 / (1 - beta)` rounds (no memory of the starting value 1), then an EMA.
/// - `H` is `E`'s shape at unit mean: the learning rate carries the scale. With `H ∝ diag(A)`,
///   `Σ_i s_i² A_ii = d · mean(A) = Tr A`, DeComFL's value, so a rate that is stable for DeComFL
///   stays stable while `H` is learned, and a drift of `E`'s overall level (the first rounds'
///   estimates are noisy) cannot change the step size.
/// - The floor `phi` (relative, so it does not depend on the loss's scale) keeps `H` positive
///   where `E` is non-positive (noise, or negative curvature) and caps the step along any
///   coordinate at `1 / sqrt(phi)` times the average one: a coordinate whose curvature is
///   underestimated by noise cannot take an arbitrarily large step.
/// - `rho` bounds how far `H` (and so the step along each coordinate) moves in one round, whatever
///   one noisy round says: `s` changes by at most `sqrt(rho)` per round.
///
/// `H` starts at 1, so the first round's directions are DeComFL's.
///
/// Memory: `3 d` floats (`E`, `H`, `s`). Complexity per update: `tau P` direction generations
/// into a fixed-size stack chunk (no `d`-sized temporary), one serial reduction pass and one
/// elementwise pass; the bits do not depend on the backend or the thread count.
public struct CurvaturePreconditioner: Preconditioner, Codable, Equatable {
    /// The EMA weight of the old estimate (`beta`).
    public let beta: Float
    /// The relative floor `phi`: `H_j >= phi` (before clipping), `H` having unit mean.
    public let floorFraction: Float
    /// The largest factor `rho` by which `H_j` moves in one round.
    public let clipRatio: Float
    /// `E`, the EMA of the Stein estimates (`d` floats, may be negative).
    public private(set) var estimate: [Float]
    /// `H` (`d` floats, positive).
    public private(set) var diagonal: [Float]
    /// `s = 1 / sqrt(H)` (`d` floats).
    public private(set) var inverseSquareRoot: [Float]
    /// The number of updates so far, `t`.
    public private(set) var updates: UInt64 = 0

    /// The defaults: `beta = 0.99`, `phi = 0.3`, `rho = 1.05`, chosen on a pilot of the quadratic
    /// lab at `d = 300` (a dimension the sweep does not report; docs/ALGORITHM.md).
    public static let defaultBeta: Float = 0.99
    /// The default relative floor.
    public static let defaultFloorFraction: Float = 0.3
    /// The default per-round clipping factor.
    public static let defaultClipRatio: Float = 1.05

    /// Makes the preconditioner with `E = H = s = 1`.
    ///
    /// - Parameters:
    ///   - dimension: `d`, at least 1.
    ///   - beta: the EMA weight of the old estimate once `t > 1 / (1 - beta)`, in `[0, 1)`.
    ///   - floorFraction: `phi`, in `(0, 1]`.
    ///   - clipRatio: `rho`, at least 1 and finite.
    /// - Throws: ``OptimError/invalidParameter(name:value:expected:)`` for a value out of range.
    public init(
        dimension: Int, beta: Float = defaultBeta, floorFraction: Float = defaultFloorFraction,
        clipRatio: Float = defaultClipRatio
    ) throws(OptimError) {
        guard dimension >= 1 else {
            throw .invalidParameter(name: "dimension", value: Double(dimension), expected: "at least 1")
        }
        try Self.validate(beta: beta, floorFraction: floorFraction, clipRatio: clipRatio)
        self.beta = beta
        self.floorFraction = floorFraction
        self.clipRatio = clipRatio
        estimate = [Float](repeating: 1, count: dimension)
        diagonal = estimate
        inverseSquareRoot = estimate
    }

    /// Makes the preconditioner at a given `H` (and `E = H`), for example a snapshot or a fixed
    /// `H` under which to study the estimator.
    ///
    /// - Throws: ``OptimError/invalidParameter(name:value:expected:)`` as
    ///   ``init(dimension:beta:floorFraction:clipRatio:)``, and when `hessian` is empty or an entry
    ///   is not positive and finite.
    public init(
        hessian: [Float], beta: Float = defaultBeta, floorFraction: Float = defaultFloorFraction,
        clipRatio: Float = defaultClipRatio
    ) throws(OptimError) {
        guard !hessian.isEmpty else { throw .invalidParameter(name: "dimension", value: 0, expected: "at least 1") }
        try Self.validate(beta: beta, floorFraction: floorFraction, clipRatio: clipRatio)
        if let bad = hessian.firstIndex(where: { !$0.isFinite || $0 <= 0 }) {
            throw .invalidParameter(name: "hessian[\(bad)]", value: Double(hessian[bad]), expected: "a positive finite value")
        }
        self.beta = beta
        self.floorFraction = floorFraction
        self.clipRatio = clipRatio
        estimate = hessian
        diagonal = hessian
        inverseSquareRoot = hessian.map { 1 / $0.squareRoot() }
    }

    private static func validate(beta: Float, floorFraction: Float, clipRatio: Float) throws(OptimError) {
        guard beta >= 0, beta < 1 else {
            throw .invalidParameter(name: "beta", value: Double(beta), expected: "a value in [0, 1)")
        }
        guard floorFraction > 0, floorFraction <= 1 else {
            throw .invalidParameter(name: "floorFraction", value: Double(floorFraction), expected: "a value in (0, 1]")
        }
        guard clipRatio >= 1, clipRatio.isFinite else {
            throw .invalidParameter(name: "clipRatio", value: Double(clipRatio), expected: "a finite value >= 1")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case beta, floorFraction, clipRatio, estimate, diagonal, inverseSquareRoot, updates
    }

    /// Decodes a snapshot (parameters, `E`, `H` and `s` as saved, bit for bit) and validates it.
    ///
    /// - Throws: `DecodingError` for a malformed value; ``OptimError`` for a parameter out of
    ///   range, vectors of different lengths, or an `H` that is not positive and finite.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        beta = try c.decode(Float.self, forKey: .beta)
        floorFraction = try c.decode(Float.self, forKey: .floorFraction)
        clipRatio = try c.decode(Float.self, forKey: .clipRatio)
        estimate = try c.decode([Float].self, forKey: .estimate)
        diagonal = try c.decode([Float].self, forKey: .diagonal)
        inverseSquareRoot = try c.decode([Float].self, forKey: .inverseSquareRoot)
        updates = try c.decode(UInt64.self, forKey: .updates)
        try Self.validate(beta: beta, floorFraction: floorFraction, clipRatio: clipRatio)
        guard !estimate.isEmpty, diagonal.count == estimate.count, inverseSquareRoot.count == estimate.count else {
            throw OptimError.dimensionMismatch(what: "decoded H and H^(-1/2)", expected: estimate.count, found: diagonal.count)
        }
        if let bad = diagonal.firstIndex(where: { !$0.isFinite || $0 <= 0 }) {
            throw OptimError.invalidParameter(
                name: "diagonal[\(bad)]", value: Double(diagonal[bad]), expected: "a positive finite value")
        }
    }

    /// The number of parameters `d`.
    public var dimension: Int { diagonal.count }
    /// `s = H^(-1/2)`.
    public var scale: [Float]? { inverseSquareRoot }
    /// `H`.
    public var hessian: [Float]? { diagonal }
    /// Always `false`.
    public var needsPerClientScalars: Bool { false }
    /// Always `true`: the rule learns from the aggregated second differences.
    public var needsCurvatureScalars: Bool { true }

    /// Folds a finished round's second differences into `E`, then re-derives `H` and `s`.
    ///
    /// - Throws: ``OptimError/malformedRecord(round:reason:)`` when the record has no steps or a
    ///   step lacks `P` second differences.
    public mutating func update(after record: RoundRecord, backend: any KernelBackend) throws(OptimError) {
        guard !record.steps.isEmpty else { throw .malformedRecord(round: record.round, reason: "no local steps") }
        let p = record.steps[0].aggregated.count
        for (k, step) in record.steps.enumerated() where step.curvature?.count != p || step.aggregated.count != p {
            throw .malformedRecord(
                round: record.round,
                reason: "step \(k) needs P = \(p) second differences for hiso-curv, found \(step.curvature?.count ?? 0)")
        }
        let coefficients = Self.steinCoefficients(record.steps.map { $0.curvature ?? [] })
        let seeds = record.steps.map(\.seed)
        updates += 1
        let weight = max(1 / Float(updates), 1 - beta)
        let threads = backend.threads
        coefficients.withUnsafeBufferPointer { cb in
            estimate.withUnsafeMutableBufferPointer { eb in
                inverseSquareRoot.withUnsafeBufferPointer { sb in
                    let shared = UncheckedSendable((cb, eb, sb, seeds))
                    ParallelRange.forEach(count: eb.count, threads: threads) { lo, hi in
                        let (cb, eb, sb, seeds) = shared.value
                        Self.steinPass(
                            estimate: eb, scale: sb, coefficients: cb, seeds: seeds, perturbations: p, range: lo..<hi,
                            weight: weight, backend: backend)
                    }
                }
            }
        }
        var positive = 0.0
        for e in estimate where e > 0 { positive += Double(e) }
        let mean = Float(positive / Double(estimate.count))
        guard mean.isNormal else { return }  // no positive estimate yet: H keeps its value
        let (floor, rho) = (floorFraction * mean, clipRatio)
        for j in 0..<estimate.count {
            let h = diagonal[j]
            let target = max(estimate[j], floor) / mean
            let next = min(max(target, h / rho), rho * h)
            diagonal[j] = next
            inverseSquareRoot[j] = 1 / next.squareRoot()
        }
    }

    /// The Stein coefficients `(c_{k,p} - b_{k,p}) / (tau P)`, step-major, with `b_{k,p}` the mean
    /// of the step's other second differences (0 when `P = 1`); sums in increasing `p`.
    static func steinCoefficients(_ steps: [[Float]]) -> [Float] {
        let scale = Float(steps.count * (steps.first?.count ?? 1))
        var out: [Float] = []
        out.reserveCapacity(steps.count * (steps.first?.count ?? 0))
        for c in steps {
            var total: Float = 0
            for value in c { total += value }
            for value in c {
                let baseline = c.count > 1 ? (total - value) / Float(c.count - 1) : 0
                out.append((value - baseline) / scale)
            }
        }
        return out
    }

    /// `E_j ← (1 - weight) E_j + weight acc_j / (2 s_j²)` on `range`, with
    /// `acc_j = sum_k sum_p coefficients[k P + p] (z(seed_k, p)[j]² - 1)` accumulated in step and
    /// direction order; `z` is regenerated chunk by chunk into stack scratch.
    private static func steinPass(
        estimate: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>,
        coefficients: UnsafeBufferPointer<Float>, seeds: [UInt64], perturbations: Int, range: Range<Int>, weight: Float,
        backend: any KernelBackend
    ) {
        let chunk = 1024
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * chunk) { scratch in
            var lo = range.lowerBound
            while lo < range.upperBound {
                let n = min(chunk, range.upperBound - lo)
                let z = UnsafeMutableBufferPointer(rebasing: scratch[0..<n])
                let acc = UnsafeMutableBufferPointer(rebasing: scratch[chunk..<(chunk + n)])
                acc.initialize(repeating: 0)
                for (k, seed) in seeds.enumerated() {
                    for p in 0..<perturbations {
                        backend.fillNormal(z, seed: seed, stream: UInt64(p), offset: lo)
                        let c = coefficients[k * perturbations + p]
                        for i in 0..<n {
                            let w = z[i] * z[i] - 1
                            acc[i] = acc[i] + c * w
                        }
                    }
                }
                for i in 0..<n {
                    let s = scale[lo + i]
                    let sample = acc[i] / (2 * (s * s))
                    estimate[lo + i] = (1 - weight) * estimate[lo + i] + weight * sample
                }
                lo += n
            }
        }
    }
}
