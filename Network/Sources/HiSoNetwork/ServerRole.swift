import GRPCCore
import GRPCNIOTransportHTTP2Posix
import HiSoWire
import Logging

/// Where and how the server role listens.
public struct ServerEndpoint: Sendable {
    /// The IPv4 address to bind (`0.0.0.0` = every interface).
    public var host: String
    /// The port (0 = any free port; the chosen one is reported).
    public var port: Int
    /// PEM file of the server certificate (its chain, leaf first).
    public var certificateChain: String
    /// PEM file of the server's private key.
    public var privateKey: String

    /// Creates an endpoint.
    public init(host: String, port: Int, certificateChain: String, privateKey: String) {
        self.host = host
        self.port = port
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }
}

/// The server process: the ``FederationService`` on gRPC over HTTP/2 and TLS, and the
/// ``FederationCoordinator``'s round loop.
public enum ServerRole {
    /// Serves until the run is over and the connected clients were told so (or `linger` passed).
    ///
    /// - Parameters:
    ///   - coordinator: the run.
    ///   - tokens: the clients' credentials.
    ///   - endpoint: where to listen.
    ///   - linger: how long to keep serving after the last round for clients to catch up.
    ///   - onListening: called with the bound port once the server accepts connections.
    /// - Returns: the final model and H.
    /// - Throws: ``NetworkError`` from the round loop, or ``NetworkError/setup(_:)`` when the
    ///   server cannot listen (address in use, unreadable certificate).
    public static func serve(
        _ coordinator: FederationCoordinator, tokens: TokenStore, endpoint: ServerEndpoint, linger: Duration,
        logger: Logger, onListening: @Sendable (Int) -> Void
    ) async throws(NetworkError) -> Hiso_Federation_V1_ModelCheckpoint {
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: endpoint.host, port: endpoint.port),
            transportSecurity: .tls(
                certificateChain: [.file(path: endpoint.certificateChain, format: .pem)],
                privateKey: .file(path: endpoint.privateKey, format: .pem)),
            config: .defaults { $0.rpc.maxRequestPayloadSize = FederationProtocol.transportLimit })
        let server = GRPCServer(transport: transport, services: [FederationService(coordinator: coordinator, tokens: tokens)])
        do {
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.serve() }
                guard let address = try await server.listeningAddress, let port = address.ipv4?.port else {
                    throw NetworkError.setup("the server did not bind \(endpoint.host):\(endpoint.port)")
                }
                onListening(port)
                logger.info("listening on \(endpoint.host):\(port)")
                try await coordinator.run()
                await coordinator.waitForClientsToFinish(timeout: linger)
                let snapshot = await coordinator.modelCheckpoint()
                server.beginGracefulShutdown()
                try await group.waitForAll()
                return snapshot
            }
        } catch let error as NetworkError {
            throw error
        } catch {
            throw .setup("server on \(endpoint.host):\(endpoint.port): \(error)")
        }
    }
}
