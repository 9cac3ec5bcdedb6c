import HiSoFederation

/// The summary of one training run (`summary.json` of `hiso train`).
public struct RunSummary: Encodable, Sendable {
    /// Rounds and bytes to one target.
    public struct Target: Encodable, Sendable {
        /// The target test accuracy.
        public var target: Double
        /// First evaluated round reaching it (nil = not reached).
        public var round: Int?
        /// Cumulative bytes (up + down) at that round.
        public var bytes: Int?
    }

    /// The method.
    public var method: String
    /// The learning rate.
    public var learningRate: Double
    /// The seed.
    public var seed: UInt64
    /// `running`, `completed`, `interrupted` or `diverged`.
    public var status: ReportCurve.Status
    /// Why the run stopped early, if it did.
    public var note: String?
    /// Rounds completed.
    public var roundsCompleted: Int
    /// Rounds requested.
    public var roundsPlanned: Int
    /// Test accuracy at the last evaluation (nil before any).
    public var finalAccuracy: Double?
    /// Best test accuracy over the evaluations.
    public var bestAccuracy: Double?
    /// Test loss at the last evaluation.
    public var finalTestLoss: Double?
    /// Training loss at the last evaluation.
    public var finalTrainLoss: Double?
    /// Cumulative bytes up at the last evaluation.
    public var bytesUp: Int
    /// Cumulative bytes down at the last evaluation.
    public var bytesDown: Int
    /// Mean bytes per round (up + down).
    public var bytesPerRound: Double?
    /// Mean training milliseconds per round (evaluation excluded).
    public var msPerRound: Double?
    /// Wall-clock seconds including evaluation.
    public var wallSeconds: Double
    /// Rounds and bytes to each target.
    public var targets: [Target]
    /// The package version, backend, threads, platform and commit that ran it (`nil`: not recorded).
    public var provenance: RunProvenance?

    /// Summarises a curve.
    ///
    /// - Parameters:
    ///   - curve: the run so far.
    ///   - roundsPlanned: the configured run length.
    ///   - targets: target accuracies.
    ///   - provenance: which code ran it.
    public init(curve: ReportCurve, roundsPlanned: Int, targets: [Double], provenance: RunProvenance? = nil) {
        self.provenance = provenance
        method = curve.method
        learningRate = curve.learningRate
        seed = curve.seed
        status = curve.status
        note = curve.note
        roundsCompleted = curve.roundsCompleted
        self.roundsPlanned = roundsPlanned
        let last = curve.points.last
        finalAccuracy = last?.testAccuracy?.finiteOrNil
        bestAccuracy = curve.points.compactMap(\.testAccuracy).filter(\.isFinite).max()
        finalTestLoss = last?.testLoss.finiteOrNil
        finalTrainLoss = last?.trainLoss.finiteOrNil
        bytesUp = Int(clamping: last?.bytesUp ?? 0)
        bytesDown = Int(clamping: last?.bytesDown ?? 0)
        bytesPerRound = curve.bytesPerRound.finiteOrNil
        msPerRound = curve.millisecondsPerRound.finiteOrNil
        wallSeconds = last?.wallSeconds ?? 0
        self.targets = targets.sorted().map { Target(target: $0, round: curve.roundReaching($0), bytes: curve.bytesReaching($0)) }
    }
}
