import HiSoKernels
import HiSoOptim

/// A client of a scalar-only run that keeps its own model and preconditioner and synchronises
/// lazily: when sampled, it replays the round records it missed (``catchUp(with:)``), which
/// reproduces the server's `x` and `H` bit for bit, then computes its scalars.
///
/// Memory: `d` floats of model (plus `2 d` for HiSo's H and s) and the trainer's workspace.
public final class Client {
    /// The client's index.
    public let id: Int
    /// The round its model corresponds to (it has applied every record below it).
    public private(set) var syncRound: UInt64
    /// Its model `x_{syncRound}`.
    public private(set) var parameters: [Float]
    /// Its preconditioner at ``syncRound``.
    public private(set) var preconditioner: any Preconditioner
    /// The kernels used for replay and estimation.
    public let backend: any KernelBackend
    private var trainer: LocalTrainer

    /// Creates a client synchronised at `syncRound` with the given state (usually the initial
    /// model, which every party builds from the initial-model seed).
    ///
    /// - Precondition: a diagonal preconditioner has `parameters.count` entries (a programmer error
    ///   otherwise).
    public init(
        id: Int, parameters: [Float], preconditioner: any Preconditioner, estimator: ZOEstimator,
        localSteps: Int, backend: any KernelBackend, syncRound: UInt64 = 0
    ) {
        precondition(
            preconditioner.hessian.map { $0.count == parameters.count } ?? true,
            "client \(id): the preconditioner's H has \(preconditioner.hessian?.count ?? 0) entries for \(parameters.count) parameters")
        self.id = id
        self.parameters = parameters
        self.preconditioner = preconditioner
        self.backend = backend
        self.syncRound = syncRound
        trainer = LocalTrainer(estimator: estimator, localSteps: localSteps, dimension: parameters.count, backend: backend)
    }

    /// Replays `records` (which must start at ``syncRound`` and be contiguous).
    ///
    /// - Throws: ``FederationError/roundNotInLog(round:available:)`` when the records do not
    ///   start at the sync round or have a gap, ``FederationError/dimensionMismatch(what:expected:found:)``
    ///   for a record that does not have `tau` steps of `P` scalars (the state is then left at the
    ///   last valid record).
    /// - Complexity: one ``RoundReplay`` per record.
    public func catchUp<Records: Collection<RoundRecord>>(with records: Records) throws(FederationError) {
        for record in records {
            guard record.round == syncRound else {
                throw .roundNotInLog(round: syncRound, available: record.round..<(record.round + 1))
            }
            try RoundReplay.validate(record, perturbations: trainer.estimator.perturbations, localSteps: trainer.localSteps)
            try parameters.withUnsafeMutableBufferPointer { x throws(FederationError) in
                try RoundReplay.apply(record, to: x, preconditioner: &preconditioner, backend: backend)
            }
            syncRound += 1
        }
    }

    /// Replaces the state by a full download of the server's model and preconditioner at `round`
    /// (the fallback for a client whose records left the log).
    public func download(parameters: [Float], preconditioner: any Preconditioner, round: UInt64) throws(FederationError) {
        guard parameters.count == self.parameters.count else {
            throw .dimensionMismatch(what: "downloaded model", expected: self.parameters.count, found: parameters.count)
        }
        if let h = preconditioner.hessian, h.count != parameters.count {
            throw .dimensionMismatch(what: "downloaded preconditioner H", expected: parameters.count, found: h.count)
        }
        self.parameters = parameters
        self.preconditioner = preconditioner
        syncRound = round
    }

    /// Computes the scalars of round ``syncRound`` (call after catching up).
    ///
    /// - Parameters:
    ///   - runSeed: the run seed shared by all parties.
    ///   - learningRate: this round's learning rate (used by local steps when `tau > 1`).
    ///   - loss: the loss at the given parameters on this client's batch of local step `step`.
    public func upload(
        runSeed: UInt64, learningRate: Float,
        loss: (_ parameters: UnsafeBufferPointer<Float>, _ step: Int) throws -> Float
    ) rethrows -> ClientUpload {
        let round = syncRound
        let id = self.id
        return try parameters.withUnsafeBufferPointer { x in
            try preconditioner.withScale { scale in
                try trainer.upload(
                    client: id, round: round, at: x, scale: scale, runSeed: runSeed, learningRate: learningRate,
                    loss: loss)
            }
        }
    }
}
