import Testing

@testable import HiSoExperiments

@Suite("SST-2 scenario: medians over seeds")
struct SST2SpreadTests {
    /// Rounds to a target count an unreached seed as +infinity in the median, as every other
    /// section does: [500, 700, not reached] -> 700, [500, not, not] -> not reached.
    @Test("an unreached seed counts as not reached in the median")
    func unreachedSeeds() throws {
        let two = try #require(SST2Scenario.Spread(reaching: [500, 700, nil]))
        #expect(two.median == 700 && two.min == 500 && two.max == 700 && two.count == 2)
        #expect(SST2Scenario.Spread(reaching: [500, nil, nil]) == nil)
        #expect(SST2Scenario.Spread(reaching: [300, nil]) == nil)
        #expect(SST2Scenario.Spread(reaching: [300, 500])?.median == 400)
    }
}
