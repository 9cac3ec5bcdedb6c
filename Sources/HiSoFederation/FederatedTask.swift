import HiSoKernels

/// Identifies the mini-batch a client uses at one local step: the batch is a pure function of
/// (run seed, client, round, step).
public struct BatchKey: Sendable, Hashable, Codable {
    /// The run seed (shuffling streams derive from it).
    public var seed: UInt64
    /// The client.
    public var client: Int
    /// The round.
    public var round: UInt64
    /// The local step within the round.
    public var step: Int

    /// Creates a key.
    public init(seed: UInt64, client: Int, round: UInt64, step: Int) {
        self.seed = seed
        self.client = client
        self.round = round
        self.step = step
    }
}

/// The quality of a model, as reported in a run's curve.
public struct TaskEvaluation: Sendable, Equatable, Codable {
    /// Test accuracy in [0, 1], `nil` for tasks without classes (quadratics).
    public var testAccuracy: Double?
    /// Mean test loss (for quadratics: the suboptimality `f(x) - f*`).
    public var testLoss: Double
    /// Mean loss over the full training set (all clients).
    public var trainLoss: Double
    /// Accuracy on a validation split held out from the training data (`nil`: the task has none).
    public var validationAccuracy: Double?
    /// Mean loss on that validation split (`nil`: the task has none).
    public var validationLoss: Double?

    /// Creates an evaluation.
    public init(
        testAccuracy: Double?, testLoss: Double, trainLoss: Double, validationAccuracy: Double? = nil,
        validationLoss: Double? = nil
    ) {
        self.testAccuracy = testAccuracy
        self.testLoss = testLoss
        self.trainLoss = trainLoss
        self.validationAccuracy = validationAccuracy
        self.validationLoss = validationLoss
    }
}

/// What a federated run trains: a loss over a flat float32 parameter vector, split across clients.
///
/// Conformers are reference types because forward passes reuse internal workspaces; a task is
/// used from one thread at a time. Every method must be deterministic: the batch for a
/// ``BatchKey`` and the initial parameters for a seed are pure functions of their inputs.
public protocol FederatedTask: AnyObject {
    /// `d`, the number of trainable parameters.
    var parameterCount: Int { get }
    /// `M`, the number of clients the data is split into.
    var clientCount: Int { get }
    /// Whether ``lossAndGradient(at:gradient:batch:)`` is available (FedAvg-type methods).
    var supportsGradient: Bool { get }

    /// Writes the initial parameters for `seed` into `x` (`parameterCount` values).
    func initialParameters(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>)

    /// The mean loss of the model `x` on the mini-batch `batch`.
    func loss(at x: UnsafeBufferPointer<Float>, batch: BatchKey) throws -> Float

    /// The mean loss and its true gradient (written into `gradient`) on `batch`.
    func lossAndGradient(
        at x: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, batch: BatchKey
    ) throws -> Float

    /// Test accuracy, test loss and full training loss of `x`.
    func evaluate(at x: UnsafeBufferPointer<Float>) throws -> TaskEvaluation

    /// A replica of this task for running clients in parallel, or `nil` when the task cannot
    /// make one (its clients then run one at a time).
    ///
    /// The replica shares the task's read-only data, owns its workspaces, computes its forward
    /// passes on `backend`, and gives the same loss bits as this task on that backend. It serves
    /// `loss(at:batch:)` only.
    func makeReplica(backend: any KernelBackend) throws -> (any FederatedTask)?
}

extension FederatedTask {
    /// No replica: clients of this task run one at a time.
    public func makeReplica(backend: any KernelBackend) throws -> (any FederatedTask)? { nil }
}
