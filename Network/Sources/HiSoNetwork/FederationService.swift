import GRPCCore
import HiSoWire
import SwiftProtobuf

/// The gRPC face of a ``FederationCoordinator``: checks every request's protocol version, its
/// bearer token against the client index it speaks for (any client's token for `Status`), and
/// its size, then hands it to the
/// coordinator. Every refusal is counted and logged by the coordinator and travels to the
/// client as ``NetworkError/rpcError``.
public struct FederationService: Hiso_Federation_V1_Federation.ServiceProtocol {
    /// The server role's state.
    public let coordinator: FederationCoordinator
    /// The clients' credentials.
    public let tokens: TokenStore

    /// A service for `coordinator`, accepting the clients in `tokens`.
    public init(coordinator: FederationCoordinator, tokens: TokenStore) {
        self.coordinator = coordinator
        self.tokens = tokens
    }

    public func join(
        request: ServerRequest<Hiso_Federation_V1_JoinRequest>, context: ServerContext
    ) async throws -> ServerResponse<Hiso_Federation_V1_JoinReply> {
        let message = request.message
        return try await refusing {
            try check(version: message.protocolVersion)
            try authenticate(request.metadata, client: message.clientID)
            let configuration = coordinator.configuration
            if message.hasConfiguration {
                try configuration.requireEqual(try NetworkConfiguration(wire: message.configuration))
            }
            let status = await coordinator.status()
            var reply = Hiso_Federation_V1_JoinReply()
            reply.protocolVersion = FederationProtocol.version
            reply.configuration = try configuration.wire()
            reply.serverRound = status.round
            return ServerResponse(message: reply)
        }
    }

    public func nextTask(
        request: ServerRequest<Hiso_Federation_V1_TaskRequest>, context: ServerContext
    ) async throws -> ServerResponse<Hiso_Federation_V1_RoundTask> {
        let message = request.message
        return try await refusing {
            try check(version: message.protocolVersion)
            try authenticate(request.metadata, client: message.clientID)
            return ServerResponse(message: try await coordinator.nextTask(client: message.clientID, syncRound: message.syncRound))
        }
    }

    public func upload(
        request: ServerRequest<Hiso_Federation_V1_UploadRequest>, context: ServerContext
    ) async throws -> ServerResponse<Hiso_Federation_V1_UploadReply> {
        let message = request.message
        return try await refusing {
            try check(version: message.protocolVersion)
            try authenticate(request.metadata, client: message.clientID)
            let run = coordinator.configuration.run
            let limit = FederationProtocol.uploadLimit(scalars: run.scalarsPerUpload)
            let size = (try? message.serializedBytes() as [UInt8])?.count ?? Int.max
            guard size <= limit else { throw NetworkError.oversized(what: "upload of client \(message.clientID)", bytes: size, limit: limit) }
            try await coordinator.upload(client: message.clientID, round: message.round, scalars: message.scalars, loss: message.loss)
            var reply = Hiso_Federation_V1_UploadReply()
            reply.accepted = true
            return ServerResponse(message: reply)
        }
    }

    public func catchUp(
        request: ServerRequest<Hiso_Federation_V1_CatchUpRequest>, context: ServerContext
    ) async throws -> ServerResponse<Hiso_Federation_V1_CatchUpReply> {
        let message = request.message
        return try await refusing {
            try check(version: message.protocolVersion)
            try authenticate(request.metadata, client: message.clientID)
            return ServerResponse(message: try await coordinator.catchUp(client: message.clientID, from: message.fromRound))
        }
    }

    public func status(
        request: ServerRequest<Hiso_Federation_V1_StatusRequest>, context: ServerContext
    ) async throws -> ServerResponse<Hiso_Federation_V1_StatusReply> {
        let message = request.message
        return try await refusing {
            try check(version: message.protocolVersion)
            try tokens.authenticate(authorization: request.metadata[stringValues: "authorization"].first(where: { _ in true }))
            return ServerResponse(message: await coordinator.status())
        }
    }

    private func check(version: UInt32) throws(NetworkError) {
        guard version == FederationProtocol.version else {
            throw .versionMismatch(expected: FederationProtocol.version, found: version)
        }
    }

    private func authenticate(_ metadata: Metadata, client: UInt32) throws(NetworkError) {
        try tokens.authenticate(authorization: metadata[stringValues: "authorization"].first(where: { _ in true }), claimed: client)
    }

    /// Runs `body`; a ``NetworkError`` is counted, logged and rethrown as its gRPC status.
    private func refusing<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as NetworkError {
            await coordinator.refuse(error)
            throw error.rpcError
        }
    }
}
