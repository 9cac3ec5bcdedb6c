import HiSoKernels
import HiSoOptim

/// The server of a scalar-only run (DeComFL, HiSo, MeZO): it aggregates the clients' scalars,
/// replays the round onto its model and preconditioner, and keeps the round log.
///
/// Protocol of round `r` (everything exchanged is a value type: the round index,
/// ``ClientUpload`` and `RoundRecord`):
/// 1. each sampled client catches up with ``catchUpRecords(from:)`` (or downloads the model when
///    its sync round left the log), then computes its ``ClientUpload`` for round ``round``;
/// 2. ``finishRound(uploads:learningRate:)`` excludes non-finite uploads, aggregates the rest
///    per scalar (see ``Aggregator``), replays the `tau` steps (``RoundReplay``), updates `H`,
///    and appends the record.
///
/// Memory: `d` floats of model, plus `2 d` for HiSo's H and s, plus the retained log.
public final class Server {
    /// The run seed (step seeds derive from it and the round index).
    public let runSeed: UInt64
    /// `P`.
    public let perturbations: Int
    /// `tau`.
    public let localSteps: Int
    /// The aggregation rule.
    public let aggregator: Aggregator
    /// The kernels used for every replay.
    public let backend: any KernelBackend
    /// The current model `x_r`.
    public private(set) var parameters: [Float]
    /// The current preconditioner (H frozen within a round).
    public private(set) var preconditioner: any Preconditioner
    /// The round log.
    public private(set) var log: RoundLog
    /// The round about to be played (the number of finished rounds).
    public private(set) var round: UInt64

    /// Creates a server whose next round is `log.endRound`, with the given state.
    ///
    /// - Parameters:
    ///   - parameters: `x` at round `log.endRound` (`d` floats).
    ///   - preconditioner: H at that round.
    ///   - runSeed: the run seed shared by all parties (step seeds derive from it).
    ///   - perturbations: `P`, scalars per local step.
    ///   - localSteps: `tau`, local steps per round.
    ///   - aggregator: how the sampled clients' scalars are combined.
    ///   - backend: the kernels of the replay.
    ///   - log: the retained round log (empty, starting at 0, for a fresh run).
    /// - Precondition: a diagonal preconditioner has `parameters.count` entries (a programmer error
    ///   otherwise).
    public init(
        parameters: [Float], preconditioner: any Preconditioner, runSeed: UInt64, perturbations: Int,
        localSteps: Int, aggregator: Aggregator, backend: any KernelBackend, log: RoundLog = RoundLog()
    ) {
        precondition(
            preconditioner.hessian.map { $0.count == parameters.count } ?? true,
            "server: the preconditioner's H has \(preconditioner.hessian?.count ?? 0) entries for \(parameters.count) parameters")
        self.parameters = parameters
        self.preconditioner = preconditioner
        self.runSeed = runSeed
        self.perturbations = perturbations
        self.localSteps = localSteps
        self.aggregator = aggregator
        self.backend = backend
        self.log = log
        round = log.endRound
    }

    /// The records a client synchronised at `syncRound` must replay to reach ``round``.
    ///
    /// - Throws: ``FederationError/roundNotInLog(round:available:)`` when they were pruned.
    public func catchUpRecords(from syncRound: UInt64) throws(FederationError) -> ArraySlice<RoundRecord> {
        try log.records(from: syncRound)
    }

    /// Aggregates the uploads of round ``round``, applies the round and logs it.
    ///
    /// Uploads with a non-finite scalar are excluded (listed in the outcome). With the paper rule
    /// the record carries the included clients' step-0 scalars. With the curvature rule an upload
    /// holds `2 P` scalars per step (`g`, then `c`); both halves are aggregated and the record
    /// carries the aggregated second differences.
    ///
    /// - Throws: ``FederationError/dimensionMismatch(what:expected:found:)`` for an upload of the
    ///   wrong length or round, ``FederationError/duplicateUpload(round:client:)`` for two uploads
    ///   from one client, ``FederationError/noValidUploads(round:excluded:)`` when nothing is left
    ///   to aggregate.
    /// - Complexity: the aggregation plus one ``RoundReplay``.
    @discardableResult
    public func finishRound(uploads: [ClientUpload], learningRate: Float) throws(FederationError) -> RoundOutcome {
        let curvature = preconditioner.needsCurvatureScalars
        let q = curvature ? 2 * perturbations : perturbations
        let length = localSteps * q
        var included: [ClientUpload] = []
        var excluded: [Int] = []
        for upload in uploads.sorted(by: { $0.client < $1.client }) {
            guard upload.client != included.last?.client, upload.client != excluded.last else {
                throw .duplicateUpload(round: round, client: upload.client)
            }
            guard upload.round == round else {
                throw .dimensionMismatch(what: "round of client \(upload.client)'s upload", expected: Int(round), found: Int(upload.round))
            }
            guard upload.scalars.count == length else {
                throw .dimensionMismatch(what: "scalars of client \(upload.client) (tau * \(curvature ? "2 P" : "P"))", expected: length, found: upload.scalars.count)
            }
            if upload.isFinite { included.append(upload) } else { excluded.append(upload.client) }
        }
        guard !included.isEmpty else { throw .noValidUploads(round: round, excluded: excluded) }
        let aggregate = aggregator.aggregate(included.map(\.scalars))
        let perClient = preconditioner.needsPerClientScalars
        let p = perturbations
        let steps = (0..<localSteps).map { k in
            StepScalars(
                seed: StepSeed.derive(runSeed: runSeed, round: round, step: k), learningRate: learningRate,
                aggregated: Array(aggregate[(k * q)..<(k * q + p)]),
                perClient: perClient && k == 0 ? included.map { Array($0.scalars[0..<p]) } : nil,
                curvature: curvature ? Array(aggregate[(k * q + p)..<((k + 1) * q)]) : nil)
        }
        let record = RoundRecord(round: round, steps: steps)
        try parameters.withUnsafeMutableBufferPointer { x throws(FederationError) in
            try RoundReplay.apply(record, to: x, preconditioner: &preconditioner, backend: backend)
        }
        log.append(record)
        round += 1
        var lossSum: Float = 0
        for upload in included { lossSum += upload.loss }
        return RoundOutcome(
            record: record, included: included.map(\.client), excluded: excluded,
            meanClientLoss: lossSum / Float(included.count))
    }

    /// Drops log records below `round` (the oldest sync round still served).
    public func pruneLog(below round: UInt64) {
        log.prune(below: round)
    }
}
