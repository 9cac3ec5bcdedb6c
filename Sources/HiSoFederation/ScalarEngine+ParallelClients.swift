import HiSoKernels

extension ScalarEngine {
    /// The uploads of the sampled clients computed in parallel by ``ClientLanes`` (one lane per
    /// thread), or `nil` when clients run one at a time: exact sync mode, one thread, one sampled
    /// client, or a task without replicas.
    ///
    /// - Throws: ``FederationError/task(_:)`` when replicating the task fails.
    func parallelUploads(
        sampled: [Int], round: UInt64, learningRate: Float, task: any FederatedTask
    ) throws(FederationError) -> [Result<ClientUpload, FederationError>]? {
        guard configuration.syncMode == .fast, backend.threads > 1, sampled.count > 1 else { return nil }
        if laneSource != ObjectIdentifier(task) {
            // Forget the old task's lanes first, and name the new task only once its lanes exist
            // (or it turned out to make no replicas), so a failure leaves nothing stale behind.
            lanes = nil
            laneSource = nil
            lanes = try ClientLanes(
                task: task, count: min(backend.threads, configuration.sampledClients), kind: backend.kind,
                estimator: estimator, localSteps: configuration.localSteps, dimension: server.parameters.count)
            laneSource = ObjectIdentifier(task)
        }
        guard let lanes else { return nil }
        let seed = configuration.seed
        return server.parameters.withUnsafeBufferPointer { x in
            server.preconditioner.withScale { scale in
                lanes.uploads(clients: sampled, round: round, at: x, scale: scale, runSeed: seed, learningRate: learningRate)
            }
        }
    }
}
