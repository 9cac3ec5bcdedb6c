import Dispatch
import HiSoKernels
import HiSoOptim

/// Runs a round's sampled clients in parallel (fast sync mode, more than one thread): one lane
/// per thread, each with its own replica of the task (``FederatedTask/makeReplica(backend:)``)
/// and its own trainer, both on a one-thread backend, so lanes share nothing mutable and BLAS's
/// thread pool is never nested inside a lane.
///
/// Lane `w` computes the clients at sampled positions `w, w + lanes, ...`; every upload lands at
/// its position and the engine consumes them in the sampled order, so a round gives the bits of
/// the serial round on one thread.
/// Memory: per lane the replica's workspaces and the trainer's `d` floats (`2 d` with `tau > 1`).
final class ClientLanes {
    /// One lane's task replica and trainer.
    final class Lane: @unchecked Sendable {
        let task: any FederatedTask
        var trainer: LocalTrainer

        init(task: any FederatedTask, trainer: consuming LocalTrainer) {
            self.task = task
            self.trainer = trainer
        }
    }

    private let lanes: [Lane]

    /// `count` lanes replicating `task`, or `nil` when the task makes no replica.
    ///
    /// - Throws: ``FederationError/task(_:)`` (stage `setup`) when making a replica fails.
    init?(
        task: any FederatedTask, count: Int, kind: BackendKind, estimator: ZOEstimator, localSteps: Int, dimension: Int
    ) throws(FederationError) {
        var lanes: [Lane] = []
        do {
            let backend = try Kernels.backend(kind, threads: 1)
            for _ in 0..<count {
                guard let replica = try task.makeReplica(backend: backend) else { return nil }
                lanes.append(Lane(
                    task: replica,
                    trainer: LocalTrainer(estimator: estimator, localSteps: localSteps, dimension: dimension, backend: backend)))
            }
        } catch {
            throw .task(TaskFailure(stage: .setup("task replicas for parallel clients"), underlying: error))
        }
        self.lanes = lanes
    }

    /// The uploads of `clients` (in their order) for `round` from the round-start model `x`,
    /// computed in parallel.
    func uploads(
        clients: [Int], round: UInt64, at x: UnsafeBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?,
        runSeed: UInt64, learningRate: Float
    ) -> [Result<ClientUpload, FederationError>] {
        let results = UnsafeMutableBufferPointer<Result<ClientUpload, FederationError>>.allocate(capacity: clients.count)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let shared = UncheckedSendable((lanes, clients, x, scale, results))
        DispatchQueue.concurrentPerform(iterations: lanes.count) { w in
            let (lanes, clients, x, scale, results) = shared.value
            let lane = lanes[w]
            for slot in stride(from: w, to: clients.count, by: lanes.count) {
                let client = clients[slot]
                let loss = { (parameters: UnsafeBufferPointer<Float>, step: Int) throws -> Float in
                    try lane.task.loss(at: parameters, batch: BatchKey(seed: runSeed, client: client, round: round, step: step))
                }
                do {
                    let upload = try lane.trainer.upload(
                        client: client, round: round, at: x, scale: scale, runSeed: runSeed, learningRate: learningRate,
                        loss: loss)
                    (results.baseAddress! + slot).initialize(to: .success(upload))
                } catch let error as FederationError {
                    (results.baseAddress! + slot).initialize(to: .failure(error))
                } catch {
                    (results.baseAddress! + slot).initialize(
                        to: .failure(.task(TaskFailure(stage: .loss(client: client, round: round), underlying: error))))
                }
            }
        }
        return Array(results)
    }
}
