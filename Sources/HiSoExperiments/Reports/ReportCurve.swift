import HiSoFederation

/// The learning curve of one training run (one method, one learning rate, one seed) as the
/// reports see it: the evaluated rounds with accuracy, losses and cumulative traffic.
///
/// The points are the federation's own `CurvePoint`s; a task without accuracy (the quadratic)
/// reports the fraction of the initial suboptimality removed as its accuracy.
///
/// Memory: 64 bytes per evaluated round.
public struct ReportCurve: Codable, Sendable, Equatable {
    /// How the run ended.
    public enum Status: String, Codable, Sendable, Equatable {
        /// Still running (a partial file written during the run).
        case running
        /// All requested rounds ran.
        case completed
        /// Stopped early by the user (Ctrl-C) or a time budget.
        case interrupted
        /// Stopped because the loss or the parameters became non-finite.
        case diverged
    }

    /// The method's name (for example `decomfl`, `hiso`).
    public var method: String
    /// The learning rate of the run.
    public var learningRate: Double
    /// The run seed.
    public var seed: UInt64
    /// The evaluated rounds, in increasing round order.
    public var points: [CurvePoint]
    /// Rounds that ran (may exceed the last evaluated round).
    public var roundsCompleted: Int
    /// Wall-clock seconds spent in training rounds only (evaluation excluded).
    public var trainingSeconds: Double
    /// How the run ended.
    public var status: Status
    /// A one-line reason when the run did not complete (divergence message, interruption).
    public var note: String?

    /// Makes a curve.
    public init(
        method: String, learningRate: Double, seed: UInt64, points: [CurvePoint] = [],
        roundsCompleted: Int = 0, trainingSeconds: Double = 0, status: Status = .running, note: String? = nil
    ) {
        self.method = method
        self.learningRate = learningRate
        self.seed = seed
        self.points = points
        self.roundsCompleted = roundsCompleted
        self.trainingSeconds = trainingSeconds
        self.status = status
        self.note = note
    }

    /// The first evaluated round whose test accuracy is at least `target`, or nil.
    ///
    /// - Complexity: O(points.count).
    public func roundReaching(_ target: Double) -> Int? {
        points.first { ($0.testAccuracy ?? -.infinity) >= target }?.round
    }

    /// The first evaluated round whose validation accuracy is at least `target`, or nil (also
    /// when the run evaluated no validation split).
    ///
    /// - Complexity: O(points.count).
    public func roundReachingOnValidation(_ target: Double) -> Int? {
        points.first { ($0.validationAccuracy ?? -.infinity) >= target }?.round
    }

    /// Whether every evaluation of the run measured a validation split.
    public var hasValidation: Bool { !points.isEmpty && points.allSatisfy { $0.validationAccuracy != nil } }

    /// The validation accuracy of the last evaluated round (NaN when there is none).
    public var finalValidationAccuracy: Double { points.last?.validationAccuracy ?? .nan }

    /// Cumulative bytes (up + down) at the first evaluated round reaching `target`, or nil.
    public func bytesReaching(_ target: Double) -> Int? {
        points.first { ($0.testAccuracy ?? -.infinity) >= target }.map { Int(clamping: $0.totalBytes) }
    }

    /// The test accuracy of the last evaluated round (NaN when nothing was evaluated).
    public var finalAccuracy: Double { points.last?.testAccuracy ?? .nan }

    /// Mean training wall time per round in milliseconds, `1000 * trainingSeconds / roundsCompleted`
    /// (NaN before the first round).
    public var millisecondsPerRound: Double {
        roundsCompleted > 0 ? 1000 * trainingSeconds / Double(roundsCompleted) : .nan
    }

    /// Mean traffic per round in bytes (up + down, all clients), from the last evaluated point
    /// (NaN before the first evaluated round after round 0).
    public var bytesPerRound: Double {
        guard let last = points.last, last.round > 0 else { return .nan }
        return Double(last.totalBytes) / Double(last.round)
    }
}
