import HiSoFederation
import HiSoOptim

extension RoundRecord {
    /// The wire form of a committed round, with the clients whose uploads it aggregates.
    ///
    /// Complexity: O(tau P + m P); memory: one copy of the scalars.
    public func wire(participants: [UInt32]) -> Hiso_Federation_V1_RoundRecord {
        var message = Hiso_Federation_V1_RoundRecord()
        message.round = round
        message.participants = participants
        message.steps = steps.map { step in
            var s = Hiso_Federation_V1_StepScalars()
            s.seed = step.seed
            s.learningRate = step.learningRate
            s.aggregated = step.aggregated
            s.perClient = (step.perClient ?? []).map { row in
                var r = Hiso_Federation_V1_ScalarRow()
                r.scalars = row
                return r
            }
            s.curvature = step.curvature ?? []
            return s
        }
        return message
    }

    /// Decodes a received record and checks it against the run: `tau` steps of `P` scalars,
    /// per-client rows of `P` (HiSo's paper rule), `P` second differences (hiso-curv) and step seeds that are the protocol's
    /// `StepSeed.derive(runSeed:round:step:)`.
    ///
    /// - Throws: ``NetworkError/malformedMessage(what:)`` naming the round, step and field.
    public init(wire message: Hiso_Federation_V1_RoundRecord, configuration: RunConfiguration) throws(NetworkError) {
        let steps = message.steps.map { s in
            StepScalars(
                seed: s.seed, learningRate: s.learningRate, aggregated: s.aggregated,
                perClient: s.perClient.isEmpty ? nil : s.perClient.map(\.scalars),
                curvature: s.curvature.isEmpty ? nil : s.curvature)
        }
        self.init(round: message.round, steps: steps)
        do {
            try RoundReplay.validate(self, perturbations: configuration.perturbations, localSteps: configuration.localSteps)
        } catch {
            throw .malformedMessage(what: error.description)
        }
        for (k, step) in steps.enumerated() {
            guard (step.curvature != nil) == configuration.learnsCurvature else {
                throw .malformedMessage(
                    what: "step \(k) of round \(round) \(configuration.learnsCurvature ? "lacks" : "carries") second differences")
            }
            let expected = StepSeed.derive(runSeed: configuration.seed, round: round, step: k)
            guard step.seed == expected else {
                throw .malformedMessage(what: "step \(k) of round \(round) has seed \(step.seed), the protocol's is \(expected)")
            }
            guard step.learningRate.isFinite, step.aggregated.allSatisfy(\.isFinite),
                  (step.perClient ?? []).allSatisfy({ $0.allSatisfy(\.isFinite) }), (step.curvature ?? []).allSatisfy(\.isFinite) else {
                throw .malformedMessage(what: "step \(k) of round \(round) has a non-finite scalar or learning rate")
            }
        }
    }
}
