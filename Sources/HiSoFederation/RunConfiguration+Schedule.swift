import HiSoOptim

extension RunConfiguration {
    /// The configured schedule as HiSoOptim's `LearningRateSchedule`.
    ///
    /// `constant` -> `.constant(learningRate)`; `step` -> `.step(learningRate, scheduleDecay,
    /// scheduleEvery)`; `cosine` -> `.cosine(learningRate, rounds, learningRate * scheduleMinimumFraction)`.
    public var learningRateSchedule: LearningRateSchedule {
        switch schedule {
        case .constant:
            return .constant(learningRate)
        case .step:
            return .step(initial: learningRate, factor: scheduleDecay, every: scheduleEvery)
        case .cosine:
            return .cosine(initial: learningRate, total: rounds, floor: learningRate * scheduleMinimumFraction)
        }
    }
}
