import Testing
import HiSoOptim

@Suite("StepSeed")
struct StepSeedTests {
    @Test("golden values, computed independently in Python")
    func golden() {
        #expect(StepSeed.derive(runSeed: 0, round: 0, step: 0) == 0x33FE_8BD4_F9C5_7863)
        #expect(StepSeed.derive(runSeed: 0, round: 0, step: 1) == 0x906A_2E0A_4515_E900)
        #expect(StepSeed.derive(runSeed: 0, round: 1, step: 0) == 0x943A_FB10_D107_F8FD)
        #expect(StepSeed.derive(runSeed: 42, round: 7, step: 2) == 0xDA64_1F2A_E946_F012)
        #expect(StepSeed.derive(runSeed: .max, round: 1 << 40, step: 3) == 0xADA8_00DA_6A5A_E42C)
    }

    @Test("no repeats over 20,000 rounds x 5 steps, and different run seeds differ")
    func distinct() {
        var seen = Set<UInt64>()
        for round in 0..<UInt64(20_000) {
            for step in 0..<5 { seen.insert(StepSeed.derive(runSeed: 1, round: round, step: step)) }
        }
        #expect(seen.count == 100_000)
        #expect(StepSeed.derive(runSeed: 1, round: 3, step: 0) != StepSeed.derive(runSeed: 2, round: 3, step: 0))
    }
}
