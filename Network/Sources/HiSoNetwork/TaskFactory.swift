import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoWire

/// Builds what both roles compute with from a ``NetworkConfiguration``: the task (every party
/// builds the same one from the task specification; a client only ever touches its own shard,
/// the batches of ``BatchKey`` with its index) and the kernel backend.
enum TaskFactory {
    /// The task of `configuration`.
    ///
    /// - Throws: ``NetworkError/setup(_:)`` when the catalogue cannot build it (missing data,
    ///   bad settings), ``NetworkError/federation(_:)`` when its client count differs from `M`.
    static func makeTask(_ configuration: NetworkConfiguration) throws(NetworkError) -> any FederatedTask {
        let run = configuration.run
        let task: any FederatedTask
        do {
            task = try TaskCatalog().makeTask(
                configuration.task, clients: run.clients, localSteps: run.localSteps, backend: try backend(run))
        } catch let error as NetworkError {
            throw error
        } catch {
            throw .setup("cannot build task \(configuration.task.name): \(error)")
        }
        guard task.clientCount == run.clients else {
            throw .federation(.taskMismatch(what: "client count", expected: "\(run.clients)", found: "\(task.clientCount)"))
        }
        return task
    }

    /// The kernels the run's configuration asks for.
    ///
    /// - Throws: ``NetworkError/setup(_:)`` for a backend that is not compiled in.
    static func backend(_ run: RunConfiguration) throws(NetworkError) -> any KernelBackend {
        do {
            return try Kernels.backend(run.backend, threads: run.threads)
        } catch {
            throw .setup("backend \(run.backend?.rawValue ?? "default"): \(error.description)")
        }
    }
}
