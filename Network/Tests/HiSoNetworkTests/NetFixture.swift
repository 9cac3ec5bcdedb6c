import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoNetwork
import HiSoOptim
import HiSoWire

/// Runs, references and comparisons shared by the network tests.
enum NetFixture {
    /// HiSo on the built-in digits (MLP 64-32-10) with `clients` clients, `sampled` per round.
    static func configuration(
        clients: Int = 4, sampled: Int = 2, rounds: Int = 30, method: FederatedMethod = .hiso, localSteps: Int = 1
    ) -> NetworkConfiguration {
        var run = RunConfiguration()
        run.method = method
        run.clients = clients
        run.sampledClients = sampled
        run.rounds = rounds
        run.localSteps = localSteps
        run.perturbations = 5
        run.learningRate = 0.02
        run.evaluateEvery = 10
        run.seed = 7
        var task = TaskSpecification(name: .digits)
        task.batchSize = 32
        return NetworkConfiguration(run: run, task: task)
    }

    /// Writes the run configuration as the JSON file `hiso-net --run-config` reads.
    static func writeRunConfig(_ configuration: NetworkConfiguration, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(configuration.run).write(to: URL(fileURLWithPath: path))
    }

    /// The in-process simulation of the same run (every client always connected).
    static func simulate(_ configuration: NetworkConfiguration) throws -> (x: [Float], h: [Float]) {
        let run = configuration.run
        let task = try TaskCatalog().makeTask(
            configuration.task, clients: run.clients, localSteps: run.localSteps,
            backend: try Kernels.backend(run.backend, threads: run.threads))
        let federated = try FederatedRun(configuration: run, task: task)
        try federated.run()
        return (federated.parameters, federated.hessian ?? [])
    }

    /// Replays a server's round log with the protocol core only (``RoundReplay``), from the
    /// initial model; returns `x`, `H` and the records' participants.
    static func replay(logAt path: String, _ configuration: NetworkConfiguration) throws -> (x: [Float], h: [Float], participants: [[UInt32]]) {
        let run = configuration.run
        let backend = try Kernels.backend(run.backend, threads: run.threads)
        let task = try TaskCatalog().makeTask(configuration.task, clients: run.clients, localSteps: run.localSteps, backend: backend)
        var x = [Float](repeating: 0, count: task.parameterCount)
        x.withUnsafeMutableBufferPointer { task.initialParameters(seed: run.seed, into: $0) }
        var preconditioner = try run.makePreconditioner(dimension: x.count)
        var participants: [[UInt32]] = []
        for entry in try DurableLog.read(path: path) {
            guard case .round(let wire)? = entry.kind else { continue }
            guard wire.round == UInt64(participants.count) else { throw TestFailure("log round \(wire.round) out of order") }
            let record = try RoundRecord(wire: wire, configuration: run)
            try x.withUnsafeMutableBufferPointer { buffer throws(FederationError) in
                try RoundReplay.apply(record, to: buffer, preconditioner: &preconditioner, backend: backend)
            }
            participants.append(wire.participants)
        }
        return (x, preconditioner.hessian ?? [], participants)
    }

    /// The bit patterns of `values` (so that comparisons are bit for bit, NaN included).
    static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
}
