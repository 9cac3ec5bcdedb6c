/// Loss and accuracy of a network on one batch.
public struct Evaluation: Sendable, Hashable {
    /// Mean softmax cross-entropy over the batch.
    public let loss: Float
    /// Number of samples whose arg-max logit equals the label (first maximum on ties).
    public let correct: Int
    /// Number of samples in the batch.
    public let count: Int

    /// `correct / count`.
    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
}
