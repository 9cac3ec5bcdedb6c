import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import HiSoNetwork
import HiSoWire
import Logging

/// A server role running in the test process on a free loopback port, and raw gRPC calls to it.
final class InProcessServer: Sendable {
    let pki: TestCertificates
    let coordinator: FederationCoordinator
    let port: Int
    let serving: Task<Hiso_Federation_V1_ModelCheckpoint, any Error>

    static let logger: Logger = {
        var logger = Logger(label: "hiso-net.test") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return logger
    }()

    /// Starts the server with `pki`'s certificate (a fresh PKI naming `localhost` and `127.0.0.1` if `nil`).
    init(_ configuration: NetworkConfiguration, settings: ServerSettings, pki: TestCertificates? = nil) async throws {
        let pki = try pki ?? TestCertificates(clients: configuration.run.clients)
        let coordinator = try FederationCoordinator(
            configuration: configuration, settings: settings, logPath: pki.path("rounds.log"), logger: Self.logger)
        let tokens = try TokenStore.read(path: pki.tokens)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        serving = Task {
            try await ServerRole.serve(
                coordinator, tokens: tokens,
                endpoint: ServerEndpoint(host: "127.0.0.1", port: 0, certificateChain: pki.certificate, privateKey: pki.key),
                linger: .seconds(10), logger: Self.logger
            ) { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("the server did not start") }
        self.pki = pki
        self.coordinator = coordinator
        self.port = port
    }

    /// Settings of a client process speaking as `client`.
    func clientSettings(_ client: UInt32) -> ClientSettings {
        ClientSettings(
            host: "127.0.0.1", port: port, certificateAuthority: pki.ca, clientID: client, token: pki.token(Int(client)))
    }

    /// Runs `body` with a raw client of the federation service over TLS.
    func withAPI<R: Sendable>(
        _ body: (Hiso_Federation_V1_Federation.Client<HTTP2ClientTransport.Posix>) async throws -> R
    ) async throws -> R {
        let ca = pki.ca
        return try await withGRPCClient(
            transport: .http2NIOPosix(
                target: .ipv4(host: "127.0.0.1", port: port),
                transportSecurity: .tls { $0.trustRoots = .certificates([.file(path: ca, format: .pem)]) })
        ) { grpc in
            try await body(Hiso_Federation_V1_Federation.Client(wrapping: grpc))
        }
    }

    /// The metadata of a request presenting `token`.
    static func bearer(_ token: String) -> Metadata { ["authorization": "Bearer \(token)"] }

    /// The metadata of a request presenting client `client`'s token.
    func bearer(_ client: Int) -> Metadata { Self.bearer(pki.token(client)) }
}
