import Foundation
import Testing

@testable import HiSoOptim

@Suite("LearningRateSchedule")
struct LearningRateScheduleTests {
    @Test("constant, step and cosine values")
    func values() throws {
        #expect(LearningRateSchedule.constant(0.01).learningRate(round: 12345) == 0.01)
        let step = LearningRateSchedule.step(initial: 1, factor: 0.5, every: 10)
        #expect(step.learningRate(round: 0) == 1)
        #expect(step.learningRate(round: 9) == 1)
        #expect(step.learningRate(round: 10) == 0.5)
        #expect(step.learningRate(round: 35) == 0.125)
        let cosine = LearningRateSchedule.cosine(initial: 1, total: 100, floor: 0.1)
        #expect(cosine.learningRate(round: 0) == 1)
        #expect(abs(cosine.learningRate(round: 50) - 0.55) < 1e-6)
        #expect(cosine.learningRate(round: 100) == 0.1)
        #expect(cosine.learningRate(round: 1000) == 0.1)
        var previous = Float.infinity
        for r in 0..<UInt64(101) {
            let lr = cosine.learningRate(round: r)
            #expect(lr <= previous)
            previous = lr
        }
    }

    @Test("invalid schedules throw; schedules are Codable")
    func validation() throws {
        #expect(throws: OptimError.self) { try LearningRateSchedule.constant(0).validate() }
        #expect(throws: OptimError.self) { try LearningRateSchedule.constant(.nan).validate() }
        #expect(throws: OptimError.self) { try LearningRateSchedule.step(initial: 1, factor: 1.5, every: 2).validate() }
        #expect(throws: OptimError.self) { try LearningRateSchedule.step(initial: 1, factor: 0.5, every: 0).validate() }
        #expect(throws: OptimError.self) { try LearningRateSchedule.cosine(initial: 1, total: 0, floor: 0).validate() }
        #expect(throws: OptimError.self) { try LearningRateSchedule.cosine(initial: 1, total: 10, floor: 2).validate() }
        try LearningRateSchedule.cosine(initial: 1, total: 10, floor: 0).validate()
        let schedule = LearningRateSchedule.step(initial: 0.1, factor: 0.9, every: 50)
        let decoded = try JSONDecoder().decode(LearningRateSchedule.self, from: JSONEncoder().encode(schedule))
        #expect(decoded == schedule)
    }
}
