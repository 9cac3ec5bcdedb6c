import Foundation
import FuzzSupport
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoOptim

/// The task every fuzzed checkpoint resumes on: a 16-dimensional quadratic over 4 clients
/// (`nonisolated(unsafe)`: libFuzzer runs every input on the one main thread).
nonisolated(unsafe) private let task: QuadraticTask = {
    do {
        let backend = try Kernels.backend(nil, threads: 1)
        let problem = try QuadraticProblem(
            QuadraticProblem.Specification(dimension: 16, spectrum: .logNormal(sigma: 1), seed: 1), backend: backend)
        return try QuadraticTask(problem: problem, clients: 4, noiseScale: 0.1, backend: backend)
    } catch {
        fatalError("fuzz harness: \(error)")
    }
}()

/// One fuzzer input: a checkpoint file, read and, when it parses, resumed on ``task`` for two
/// more rounds (the replay of its round log, the engine's checks and two real rounds).
func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file(data, size, name: "checkpoint.json")
    guard let checkpoint = try? Checkpoint.read(from: url.path), checkpoint.completedRounds < 1_000_000,
          let run = try? FederatedRun(resuming: checkpoint, task: task, rounds: checkpoint.completedRounds + 2)
    else { return 0 }
    _ = try? run.run()
    return 0
}

/// Valid checkpoints after 3 rounds: DeComFL and HiSo (fast and exact sync), and FedAdam.
func checkpointSeeds() throws -> [(String, Data)] {
    var seeds: [(String, Data)] = []
    let settings: [(String, FederatedMethod, SyncMode)] = [
        ("decomfl", .decomfl, .fast), ("hiso", .hiso, .fast), ("hiso-exact", .hiso, .exact), ("fedadam", .fedadam, .fast),
    ]
    for (name, method, sync) in settings {
        var configuration = RunConfiguration()
        configuration.method = method
        configuration.clients = 4
        configuration.sampledClients = 2
        configuration.rounds = 3
        configuration.evaluateEvery = 2
        configuration.syncMode = sync
        let run = try FederatedRun(configuration: configuration, task: task)
        try run.run()
        let path = FuzzInput.directory.appendingPathComponent("seed.json").path
        try run.checkpoint(includeHessian: method == .hiso).write(to: path)
        seeds.append(("\(name).json", try Data(contentsOf: URL(fileURLWithPath: path))))
    }
    return seeds
}

/// Runs libFuzzer on ``fuzzCheckpoint(_:_:)``.
@main
enum FuzzCheckpoint {
    static func main() {
        FuzzDriver.run(fuzzCheckpoint, seeds: checkpointSeeds)
    }
}
