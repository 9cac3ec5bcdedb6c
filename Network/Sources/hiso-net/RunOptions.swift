import ArgumentParser
import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoNetwork
import HiSoWire

/// The run and task a server starts (or a client insists on).
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("run-config"), help: "JSON file of the run configuration (missing keys take the defaults of `hiso`).")
    var runConfig: String?

    @Option(help: "Task: \(TaskName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var task: String = TaskName.digits.rawValue

    @Option(name: .customLong("batch-size"), help: "Samples per client step.")
    var batchSize: Int = 32

    @Option(name: .customLong("data-seed"), help: "Seed of the partition and of the built-in digits split.")
    var dataSeed: UInt64 = 0

    @Option(name: .customLong("data-dir"), help: "Data directory (tasks that read files).")
    var dataDirectory: String?

    /// Whether any option was given (a client without options adopts the server's run).
    var isGiven: Bool { runConfig != nil }

    /// The configuration these options describe.
    func configuration() throws -> NetworkConfiguration {
        var run = RunConfiguration()
        if let path = runConfig {
            do {
                run = try JSONDecoder().decode(RunConfiguration.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw ValidationError("--run-config \(path): \(error)")
            }
        }
        guard let name = TaskName(rawValue: task) else { throw ValidationError("--task \(task): unknown task") }
        var spec = TaskSpecification(name: name)
        spec.batchSize = batchSize
        spec.dataSeed = dataSeed
        spec.dataDirectory = dataDirectory
        return NetworkConfiguration(run: run, task: spec)
    }
}
