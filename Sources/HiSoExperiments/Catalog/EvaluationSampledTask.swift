import HiSoFederation
import HiSoKernels

/// A classification task whose evaluation uses a fixed sample of the training rows for the
/// training loss (the test metrics still use the whole test set), so that evaluating a
/// Fashion-MNIST model costs 12,000 forward passes instead of 70,000.
///
/// Training (losses, gradients, batches, initial parameters) is forwarded unchanged to
/// ``training``; ``evaluate(at:)`` asks ``evaluation``, a task whose training set is the sample.
/// Memory: the sample's features (about 6 MB for 2,000 Fashion-MNIST images).
public final class EvaluationSampledTask: FederatedTask {
    /// The task that trains.
    public let training: ClassificationTask
    /// The task that evaluates (same network and test set; training set = the sample).
    public let evaluation: ClassificationTask

    /// Wraps `training` with an evaluation on `evaluation`.
    public init(training: ClassificationTask, evaluation: ClassificationTask) {
        self.training = training
        self.evaluation = evaluation
    }

    public var parameterCount: Int { training.parameterCount }
    public var clientCount: Int { training.clientCount }
    public var supportsGradient: Bool { training.supportsGradient }

    public func initialParameters(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>) {
        training.initialParameters(seed: seed, into: x)
    }

    public func loss(at x: UnsafeBufferPointer<Float>, batch: BatchKey) throws -> Float {
        try training.loss(at: x, batch: batch)
    }

    public func lossAndGradient(
        at x: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, batch: BatchKey
    ) throws -> Float {
        try training.lossAndGradient(at: x, gradient: gradient, batch: batch)
    }

    /// Test accuracy and loss on the whole test set, training loss on the sample.
    public func evaluate(at x: UnsafeBufferPointer<Float>) throws -> TaskEvaluation {
        try evaluation.evaluate(at: x)
    }
}
