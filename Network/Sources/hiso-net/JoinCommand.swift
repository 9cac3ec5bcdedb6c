import ArgumentParser
import Foundation
import HiSoNetwork
import Logging

/// `hiso-net join`: one client.
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join", abstract: "Run one client: train on its shard when sampled, upload tau x P scalars.")

    @OptionGroup var run: RunOptions

    @Option(help: "The server, host:port (the host must be in the server certificate).") var server: String
    @Option(help: "PEM certificate of the authority that signed the server certificate.") var ca: String
    @Option(name: .customLong("client-id"), help: "This client's index (its shard of the task's split).") var clientID: UInt32
    @Option(name: .customLong("token-file"), help: "Token file; the line of --client-id is used.") var tokenFile: String
    @Option(name: .customLong("state-out"), help: "Write the final x and H here (protobuf ModelCheckpoint).") var stateOut: String?
    @Option(name: .customLong("give-up-after"), help: "Seconds to keep retrying an unreachable server.") var giveUpAfter: Double = 60
    @Option(name: .customLong("upload-delay"), help: "Seconds to wait before each upload (simulates a slow client).") var uploadDelay: Double = 0

    func run() async throws {
        guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]) else {
            throw ValidationError("--server \(server): expected host:port")
        }
        guard let token = try TokenStore.read(path: tokenFile).token(of: clientID) else {
            throw ValidationError("--token-file \(tokenFile) has no line for client \(clientID)")
        }
        var settings = ClientSettings(
            host: String(server[..<colon]), port: port, certificateAuthority: ca, clientID: clientID, token: token)
        settings.configuration = run.isGiven ? try run.configuration() : nil
        settings.stateOutput = stateOut
        settings.giveUpAfter = .milliseconds(Int64(giveUpAfter * 1000))
        settings.uploadDelay = .milliseconds(Int64(uploadDelay * 1000))
        _ = try await ClientRole.run(settings, logger: Logger.process("hiso-net.join.\(clientID)"))
    }
}
