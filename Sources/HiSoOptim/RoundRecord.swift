/// The record of one round: its index and the scalars of its `tau` local steps, in order.
///
/// It is the unit of the round log, of catch-up replay and of the preconditioner update.
public struct RoundRecord: Codable, Sendable, Equatable {
    /// The round index.
    public var round: UInt64
    /// The local steps `k = 0 ..< tau`.
    public var steps: [StepScalars]

    /// Makes a round record.
    public init(round: UInt64, steps: [StepScalars]) {
        self.round = round
        self.steps = steps
    }

    /// Checks that the record can be replayed on `perturbations` directions per step.
    ///
    /// - Throws: ``OptimError/malformedRecord(round:reason:)`` when there are no steps, a step has
    ///   the wrong number of scalars or second differences, or per-client rows are ragged or empty.
    public func validate(perturbations: Int) throws(OptimError) {
        guard !steps.isEmpty else { throw .malformedRecord(round: round, reason: "no local steps") }
        for (k, step) in steps.enumerated() {
            guard step.aggregated.count == perturbations else {
                throw .malformedRecord(
                    round: round, reason: "step \(k) has \(step.aggregated.count) scalars, expected P = \(perturbations)")
            }
            if let c = step.curvature, c.count != perturbations {
                throw .malformedRecord(
                    round: round, reason: "step \(k) has \(c.count) second differences, expected P = \(perturbations)")
            }
            if let rows = step.perClient {
                guard !rows.isEmpty else {
                    throw .malformedRecord(round: round, reason: "step \(k) has an empty per-client table")
                }
                for (i, row) in rows.enumerated() where row.count != perturbations {
                    throw .malformedRecord(
                        round: round,
                        reason: "step \(k), client row \(i) has \(row.count) scalars, expected P = \(perturbations)")
                }
            }
        }
    }
}
