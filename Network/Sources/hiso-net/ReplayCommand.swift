import ArgumentParser
import HiSoNetwork
import HiSoWire

/// `hiso-net replay`: the model a round log describes, replayed in process.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Replay a server's round log from the initial model and write the final x and H.")

    @Option(help: "The round log.") var log: String
    @Option(name: .customLong("state-out"), help: "Write the replayed x and H here (protobuf ModelCheckpoint).") var stateOut: String

    func run() async throws {
        let snapshot = try LogReplay.snapshot(ofLogAt: log)
        try snapshot.write(to: stateOut)
        print("replayed \(snapshot.round) rounds: \(snapshot.parameters.count) parameters, \(snapshot.hessian.count) H entries")
    }
}
