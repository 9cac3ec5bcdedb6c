import ArgumentParser
import Foundation
import HiSoNetwork
import HiSoWire
import Logging

/// `hiso-net serve`: the server role.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the server: sample connected clients, aggregate their scalars, log every round durably.")

    @OptionGroup var run: RunOptions

    @Option(help: "IPv4 address to listen on.") var host: String = "0.0.0.0"
    @Option(help: "Port to listen on (0 = any free port).") var port: Int = 7443
    @Option(help: "PEM server certificate.") var cert: String
    @Option(help: "PEM server private key.") var key: String
    @Option(help: "Token file: one '<client index> <token>' line per client.") var tokens: String
    @Option(help: "The durable round log (created, or resumed after a restart).") var log: String
    @Option(help: "Seconds a round waits for uploads.") var deadline: Double = 10
    @Option(name: .customLong("min-answers"), help: "Uploads a round needs at its deadline.") var minimumAnswers: Int = 1
    @Option(name: .customLong("min-clients"), help: "Connected clients a round waits for before sampling.") var minimumClients: Int = 1
    @Flag(help: "Sample again when a round has too few answers at its deadline (default: keep waiting).") var resample = false
    @Option(name: .customLong("evaluate-every"), help: "Evaluate every N rounds (default: the run's evaluateEvery).") var evaluateEvery: Int?
    @Option(name: .customLong("checkpoint-every"), help: "Log a checkpoint of x and H every N rounds.") var checkpointEvery: Int = 10
    @Option(help: "Seconds after which a silent client counts as disconnected.") var liveness: Double = 10
    @Option(help: "Seconds to keep serving after the last round so clients can catch up.") var linger: Double = 10
    @Option(name: .customLong("state-out"), help: "Write the final x and H here (protobuf ModelCheckpoint).") var stateOut: String?
    @Option(name: .customLong("port-file"), help: "Write the bound port to this file once listening.") var portFile: String?

    func run() async throws {
        let logger = Logger.process("hiso-net.serve")
        var settings = ServerSettings()
        settings.roundDeadline = .milliseconds(Int64(deadline * 1000))
        settings.minimumAnswers = minimumAnswers
        settings.minimumClients = minimumClients
        settings.resample = resample
        settings.evaluateEvery = evaluateEvery
        settings.checkpointEvery = checkpointEvery
        settings.liveness = .milliseconds(Int64(liveness * 1000))
        let resuming = FileManager.default.fileExists(atPath: log) && !run.isGiven
        let coordinator = try FederationCoordinator(
            configuration: resuming ? nil : try run.configuration(), settings: settings, logPath: log, logger: logger)
        let store = try TokenStore.read(path: tokens)
        let portFile = self.portFile
        if let portFile {
            // Fail before serving when the port file cannot be written, not after clients wait on it.
            do {
                try "".write(toFile: portFile, atomically: true, encoding: .utf8)
            } catch {
                throw NetworkError.setup("cannot write the port file \(portFile): \(error.localizedDescription)")
            }
        }
        let snapshot = try await ServerRole.serve(
            coordinator, tokens: store, endpoint: ServerEndpoint(host: host, port: port, certificateChain: cert, privateKey: key),
            linger: .milliseconds(Int64(linger * 1000)), logger: logger
        ) { port in
            guard let portFile else { return }
            do {
                try "\(port)\n".write(toFile: portFile, atomically: true, encoding: .utf8)
            } catch {
                logger.error("cannot write the bound port \(port) to \(portFile): \(error.localizedDescription)")
            }
        }
        if let stateOut { try snapshot.write(to: stateOut) }
    }
}
