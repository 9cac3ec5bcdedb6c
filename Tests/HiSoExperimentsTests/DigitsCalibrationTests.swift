import HiSoExperiments
import HiSoFederation
import Testing

@Suite("Digits calibration settings")
struct DigitsCalibrationTests {
    @Test("the configuration is the peer's reference setting")
    func configuration() throws {
        let c = DigitsCalibration.configuration(.init(method: .hiso, partition: .dirichlet0_5), seed: 3)
        #expect(c.clients == 8 && c.sampledClients == 2 && c.localSteps == 1 && c.perturbations == 5)
        #expect(c.mu == 1e-3 && c.scheme == .forward && c.learningRate == 1e-2 && c.evaluateEvery == 25)
        #expect(c.rounds == 2000 && c.hessianRule == .peer && c.hessianStep == .last && c.beta == 0.95 && c.hessianFloor == 0)
        #expect(DigitsCalibration.configuration(.init(method: .decomfl, partition: .iid), seed: 0).rounds == 1500)
        try c.validate()
    }

    @Test("peer ranges are the README's per-seed values widened by 30%")
    func ranges() {
        let iid = DigitsCalibration.Setting(method: .decomfl, partition: .iid).peer
        #expect(iid.widenedRange(target: 0) == 157.5...422.5)
        let hiso = DigitsCalibration.Setting(method: .hiso, partition: .dirichlet0_5).peer
        #expect(hiso.widenedRange(target: 2) == 700...2275)
    }
}
