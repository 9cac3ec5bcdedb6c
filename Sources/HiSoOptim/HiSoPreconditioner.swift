import HiSoKernels

/// HiSo's learned diagonal preconditioner: directions `u_p = H^(-1/2) z_p`, `H` updated once per
/// round from scalars every party has.
///
/// Rules (docs/ALGORITHM.md, "HiSo"):
/// - peer code: `H <- beta H + (1 - beta) Delta_k^2`, `Delta_k = (1/P) sum_p gbar_{k,p} s ⊙ z_{k,p}`
///   (the aggregated update of local step `k` without the learning rate), for the chosen step:
///   the last (default), the first, or all of them as `tau` sequential EMA steps. `s` stays frozen
///   during those EMA steps and is refreshed once afterwards.
/// - paper (Eq. 12): `H <- (1 - nu) H + nu (1/m) sum_i (Delta^(i)_0^2 + epsilon)` from the
///   per-client scalars of local step 0.
///
/// After either rule, `s = 1 / sqrt(max(H, floor))`; `floor = 0` is the peer's unfloored rule.
/// `H` starts at 1, so `s` starts at exactly 1; a run whose `H` is held at 1 (for example the peer
/// rule with `beta = 1`) gives DeComFL's bits.
///
/// Memory: `2 d` floats (`H` and `s`). Complexity per update: `P` direction generations per EMA
/// step (peer) or `P` generations and `m P` multiply-adds per element (paper), one pass over `H`.
public struct HiSoPreconditioner: Preconditioner, Codable, Equatable {
    /// Which local step of a round feeds the peer rule.
    public enum StepChoice: String, Sendable, Codable, CaseIterable, Equatable {
        /// The last local step (the peer code's default).
        case last
        /// The first local step.
        case first
        /// Every local step, as `tau` sequential EMA steps in step order.
        case all
    }

    /// The H update rule.
    public enum Rule: Sendable, Codable, Equatable {
        /// The peer code's EMA of the squared aggregated update; `beta` weights the old `H`.
        case peer(step: StepChoice, beta: Float)
        /// The paper's Eq. 12 on per-client updates of local step 0.
        case paper(nu: Float, epsilon: Float)

        /// The peer code's defaults: last step, `beta = 0.95`.
        public static let peerDefault = Rule.peer(step: .last, beta: 0.95)
    }

    /// The update rule.
    public let rule: Rule
    /// The floor under `H` when computing `s` (0 = none).
    public let floor: Float
    /// The diagonal `H` (`d` floats).
    public private(set) var diagonal: [Float]
    /// `s = 1 / sqrt(max(H, floor))` (`d` floats).
    public private(set) var inverseSquareRoot: [Float]

    /// Makes a preconditioner with `H = 1` (so `s = 1`).
    ///
    /// - Parameters:
    ///   - dimension: `d`, at least 1.
    ///   - rule: the update rule.
    ///   - floor: the floor under `H` in `s = 1/sqrt(max(H, floor))`; 0 disables it.
    /// - Throws: ``OptimError/invalidParameter(name:value:expected:)`` for `d < 1`, `beta` outside
    ///   `[0, 1]`, `nu` outside `(0, 1]`, a negative or non-finite `epsilon` or `floor`.
    public init(dimension: Int, rule: Rule = .peerDefault, floor: Float = 0) throws(OptimError) {
        guard dimension >= 1 else {
            throw .invalidParameter(name: "dimension", value: Double(dimension), expected: "at least 1")
        }
        try Self.validate(rule: rule, floor: floor)
        self.rule = rule
        self.floor = floor
        diagonal = [Float](repeating: 1, count: dimension)
        inverseSquareRoot = [Float](repeating: 1, count: dimension)
    }

    /// Restores a preconditioner from a snapshot of `H`, recomputing `s` with `backend`.
    ///
    /// - Throws: ``OptimError/invalidParameter(name:value:expected:)`` as ``init(dimension:rule:floor:)``,
    ///   and when an entry of `hessian` is negative or not finite.
    public init(hessian: [Float], rule: Rule, floor: Float = 0, backend: any KernelBackend) throws(OptimError) {
        guard !hessian.isEmpty else {
            throw .invalidParameter(name: "dimension", value: 0, expected: "at least 1")
        }
        try Self.validate(rule: rule, floor: floor)
        if let bad = hessian.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw .invalidParameter(
                name: "hessian[\(bad)]", value: Double(hessian[bad]), expected: "a finite non-negative value")
        }
        self.rule = rule
        self.floor = floor
        diagonal = hessian
        inverseSquareRoot = [Float](repeating: 1, count: hessian.count)
        refresh(backend: backend)
    }

    private enum CodingKeys: String, CodingKey { case rule, floor, diagonal, inverseSquareRoot }

    /// Decodes a snapshot (rule, floor, `H` and `s` as saved, bit for bit) and validates it.
    ///
    /// - Throws: `DecodingError` for a malformed value; ``OptimError`` for an invalid rule or
    ///   floor, or when `H` and `s` are empty or differ in length.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rule = try c.decode(Rule.self, forKey: .rule)
        floor = try c.decode(Float.self, forKey: .floor)
        diagonal = try c.decode([Float].self, forKey: .diagonal)
        inverseSquareRoot = try c.decode([Float].self, forKey: .inverseSquareRoot)
        try Self.validate(rule: rule, floor: floor)
        guard !diagonal.isEmpty, inverseSquareRoot.count == diagonal.count else {
            throw OptimError.dimensionMismatch(what: "decoded H^(-1/2)", expected: diagonal.count, found: inverseSquareRoot.count)
        }
    }

    private static func validate(rule: Rule, floor: Float) throws(OptimError) {
        guard floor.isFinite, floor >= 0 else {
            throw .invalidParameter(name: "floor", value: Double(floor), expected: "a finite value >= 0")
        }
        switch rule {
        case .peer(_, let beta):
            guard beta >= 0, beta <= 1 else {
                throw .invalidParameter(name: "beta", value: Double(beta), expected: "a value in [0, 1]")
            }
        case .paper(let nu, let epsilon):
            guard nu > 0, nu <= 1 else {
                throw .invalidParameter(name: "nu", value: Double(nu), expected: "a value in (0, 1]")
            }
            guard epsilon.isFinite, epsilon >= 0 else {
                throw .invalidParameter(name: "epsilon", value: Double(epsilon), expected: "a finite value >= 0")
            }
        }
    }

    /// The number of parameters `d`.
    public var dimension: Int { diagonal.count }
    /// `s = H^(-1/2)`.
    public var scale: [Float]? { inverseSquareRoot }
    /// `H`.
    public var hessian: [Float]? { diagonal }
    /// `true` for the paper rule.
    public var needsPerClientScalars: Bool {
        if case .paper = rule { return true }
        return false
    }

    /// Applies the rule to a finished round, then refreshes `s`.
    ///
    /// - Throws: ``OptimError/malformedRecord(round:reason:)`` when the record has no steps, or
    ///   (paper rule) step 0 lacks per-client scalars or has ragged rows.
    public mutating func update(after record: RoundRecord, backend: any KernelBackend) throws(OptimError) {
        guard let first = record.steps.first, let last = record.steps.last else {
            throw .malformedRecord(round: record.round, reason: "no local steps")
        }
        switch rule {
        case .peer(let choice, let beta):
            switch choice {
            case .last: emaStep(last, beta: beta, backend: backend)
            case .first: emaStep(first, beta: beta, backend: backend)
            case .all: for step in record.steps { emaStep(step, beta: beta, backend: backend) }
            }
        case .paper(let nu, let epsilon):
            guard let rows = first.perClient, !rows.isEmpty else {
                throw .malformedRecord(round: record.round, reason: "the paper rule needs the per-client scalars of step 0")
            }
            let count = rows[0].count
            if let bad = rows.firstIndex(where: { $0.count != count }) {
                throw .malformedRecord(
                    round: record.round, reason: "step 0, client row \(bad) has \(rows[bad].count) scalars, row 0 has \(count)")
            }
            var coefficients = [Float](repeating: 0, count: rows.count * count)
            for (c, row) in rows.enumerated() {
                for p in 0..<count { coefficients[c * count + p] = row[p] / Float(count) }
            }
            coefficients.withUnsafeBufferPointer { cb in
                inverseSquareRoot.withUnsafeBufferPointer { sb in
                    diagonal.withUnsafeMutableBufferPointer { hb in
                        backend.hessianPaperUpdate(
                            hb, scale: sb, coefficients: cb, clients: rows.count, seed: first.seed, nu: nu,
                            epsilon: epsilon, offset: 0)
                    }
                }
            }
        }
        refresh(backend: backend)
    }

    /// One peer-rule EMA step with `c_p = gbar_p / P`; `s` is read, not refreshed.
    private mutating func emaStep(_ step: StepScalars, beta: Float, backend: any KernelBackend) {
        let count = Float(step.aggregated.count)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: step.aggregated.count) { c in
            for (p, g) in step.aggregated.enumerated() { c[p] = g / count }
            inverseSquareRoot.withUnsafeBufferPointer { sb in
                diagonal.withUnsafeMutableBufferPointer { hb in
                    backend.hessianEMA(
                        hb, scale: sb, coefficients: UnsafeBufferPointer(c), seed: step.seed, beta: beta, offset: 0)
                }
            }
        }
    }

    /// `s = 1 / sqrt(max(H, floor))`.
    private mutating func refresh(backend: any KernelBackend) {
        diagonal.withUnsafeBufferPointer { hb in
            inverseSquareRoot.withUnsafeMutableBufferPointer { sb in
                backend.refreshScale(sb, from: hb, floor: floor)
            }
        }
    }
}
