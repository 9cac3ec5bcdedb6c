import HiSoFederation
import HiSoKernels
import HiSoOptim
import HiSoWire

/// The state a round log describes: its configuration and task, and the model, H and round log
/// obtained by replaying its committed rounds from the initial model.
struct ReplayedRun {
    var configuration: NetworkConfiguration
    var task: any FederatedTask
    var backend: any KernelBackend
    var parameters: [Float]
    var preconditioner: any Preconditioner
    var log: RoundLog
    var participants: [[UInt32]]
}

/// Rebuilds a run from the entries of a ``DurableLog``: the initial model from the run seed,
/// then one ``RoundReplay`` per committed round, in order; every stored checkpoint must equal
/// the replayed `x` and `H` bit for bit.
public enum LogReplay {
    /// Replays `entries` (the first one is the run configuration).
    ///
    /// - Parameters:
    ///   - entries: the log's entries; empty for a new run.
    ///   - configuration: the configuration the caller expects (`nil` = the stored one); it must
    ///     equal the stored one.
    ///   - file: the log's path, for error messages.
    /// - Throws: ``NetworkError/logCorrupted(file:reason:)`` for out-of-order rounds, a checkpoint
    ///   that differs from the replay or an unexpected entry; ``NetworkError/configurationMismatch(what:)``;
    ///   ``NetworkError/setup(_:)`` when there is no configuration at all.
    /// - Complexity: one ``RoundReplay`` per round; memory: the task, `x`, H and the records.
    static func replay(
        _ entries: [Hiso_Federation_V1_LogEntry], expecting configuration: NetworkConfiguration?, file: String
    ) throws(NetworkError) -> ReplayedRun {
        var stored: NetworkConfiguration?
        if let first = entries.first {
            guard case .configuration(let wire)? = first.kind else {
                throw .logCorrupted(file: file, reason: "the first entry is not the run configuration")
            }
            stored = try NetworkConfiguration(wire: wire)
        }
        guard let chosen = configuration ?? stored else {
            throw .setup("the log \(file) is empty and no configuration was given")
        }
        if let stored, let configuration { try stored.requireEqual(configuration) }
        let run = chosen.run
        do {
            try run.validate()
        } catch {
            throw .federation(error)
        }
        guard run.method.isScalarOnly else {
            throw .setup("method \(run.method) sends full vectors; the networked federation runs scalar-only methods (decomfl, hiso, mezo)")
        }
        let task = try TaskFactory.makeTask(chosen)
        let backend = try TaskFactory.backend(run)
        var x = [Float](repeating: 0, count: task.parameterCount)
        x.withUnsafeMutableBufferPointer { task.initialParameters(seed: run.seed, into: $0) }
        var preconditioner: any Preconditioner
        do {
            preconditioner = try run.makePreconditioner(dimension: x.count)
        } catch {
            throw .federation(error)
        }
        var log = RoundLog()
        var participants: [[UInt32]] = []
        for entry in entries.dropFirst() {
            switch entry.kind {
            case .round(let wire)?:
                let record = try RoundRecord(wire: wire, configuration: run)
                guard record.round == log.endRound else {
                    throw .logCorrupted(file: file, reason: "round \(record.round) follows \(log.endRound) committed rounds")
                }
                do {
                    try x.withUnsafeMutableBufferPointer { buffer throws(FederationError) in
                        try RoundReplay.apply(record, to: buffer, preconditioner: &preconditioner, backend: backend)
                    }
                } catch {
                    throw .federation(error)
                }
                log.append(record)
                participants.append(wire.participants)
            case .checkpoint(let snapshot)?:
                guard snapshot.round == log.endRound, snapshot.parameters == x,
                      snapshot.hessian == (preconditioner.hessian ?? []) else {
                    throw .logCorrupted(
                        file: file, reason: "the checkpoint of round \(snapshot.round) differs from the replay of the rounds before it")
                }
            case .configuration?, nil:
                throw .logCorrupted(file: file, reason: "an entry after the first is not a round or a checkpoint")
            }
        }
        return ReplayedRun(
            configuration: chosen, task: task, backend: backend, parameters: x, preconditioner: preconditioner, log: log,
            participants: participants)
    }

    /// The final model and H of the log at `path`, replayed without changing the file.
    ///
    /// - Throws: what ``DurableLog/read(path:)`` and ``replay(_:expecting:file:)`` throw.
    public static func snapshot(ofLogAt path: String) throws(NetworkError) -> Hiso_Federation_V1_ModelCheckpoint {
        let state = try replay(try DurableLog.read(path: path), expecting: nil, file: path)
        var snapshot = Hiso_Federation_V1_ModelCheckpoint()
        snapshot.round = state.log.endRound
        snapshot.parameters = state.parameters
        snapshot.hessian = state.preconditioner.hessian ?? []
        return snapshot
    }
}
