/// One evaluation point of a run's curve.
public struct CurvePoint: Codable, Sendable, Equatable {
    /// Rounds completed when the point was taken (0 = the initial model).
    public var round: Int
    /// Test accuracy in [0, 1] (`nil` for tasks without classes).
    public var testAccuracy: Double?
    /// Test loss (quadratics: suboptimality).
    public var testLoss: Double
    /// Training loss over all clients' data.
    public var trainLoss: Double
    /// Cumulative bytes uploaded by all clients.
    public var bytesUp: UInt64
    /// Cumulative bytes downloaded by all clients.
    public var bytesDown: UInt64
    /// Seconds of wall time spent in rounds and evaluations so far (not part of determinism).
    public var wallSeconds: Double
    /// Accuracy on the task's validation split (`nil`: the task holds none out).
    public var validationAccuracy: Double?
    /// Mean loss on the task's validation split (`nil`: the task holds none out).
    public var validationLoss: Double?

    /// Creates a point.
    public init(
        round: Int, testAccuracy: Double?, testLoss: Double, trainLoss: Double, bytesUp: UInt64,
        bytesDown: UInt64, wallSeconds: Double, validationAccuracy: Double? = nil, validationLoss: Double? = nil
    ) {
        self.validationAccuracy = validationAccuracy
        self.validationLoss = validationLoss
        self.round = round
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
        self.trainLoss = trainLoss
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
        self.wallSeconds = wallSeconds
    }

    /// Cumulative bytes in both directions, `bytesUp + bytesDown`.
    public var totalBytes: UInt64 { bytesUp + bytesDown }

    /// Whether every field but the wall time is identical (the determinism check).
    public func hasSameMetrics(as other: CurvePoint) -> Bool {
        round == other.round && testAccuracy == other.testAccuracy && testLoss == other.testLoss
            && trainLoss == other.trainLoss && bytesUp == other.bytesUp && bytesDown == other.bytesDown
            && validationAccuracy == other.validationAccuracy && validationLoss == other.validationLoss
    }
}

/// Clients excluded from one round's aggregate because their uploads were not finite.
public struct Exclusion: Codable, Sendable, Equatable {
    /// The round.
    public var round: UInt64
    /// The excluded clients, ascending.
    public var clients: [Int]

    /// Creates an exclusion record.
    public init(round: UInt64, clients: [Int]) {
        self.round = round
        self.clients = clients
    }
}

/// What a run reports to its observer.
public enum RunEvent: Sendable {
    /// A round finished: its index, the mean client loss and the clients excluded (if any).
    case roundFinished(round: UInt64, meanClientLoss: Float, excluded: [Int])
    /// An evaluation point was added to the curve.
    case evaluated(CurvePoint)
}

/// The observer's answer: keep going or stop cleanly after this event.
public enum RunControl: Sendable {
    /// Continue with the next round.
    case proceed
    /// Stop; ``FederatedRun/run(observer:)`` returns normally with the rounds done so far.
    case stop
}
