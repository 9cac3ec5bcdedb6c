import GRPCCore
import GRPCNIOTransportHTTP2Posix
import HiSoFederation
import HiSoOptim
import HiSoWire
import Logging
import SwiftProtobuf

/// The client role: one process (or connection) per client index, with its own data shard,
/// its own `x` and `H` (the protocol core's ``Client``), over TLS with a bearer token.
///
/// Loop: join (the server checks the configuration and the protocol version), then ask for
/// work; when sampled in round `r`, replay the records `syncRound ..< r` that came with the
/// assignment (bit for bit the server's `x` and `H`), compute the `tau x P` scalars on the
/// batches of ``BatchKey`` `(seed, clientID, r, k)`, apply the run's simulated attack if this
/// client is one of its attackers, and upload. When the run is over, catch up to the last
/// round and return the final model.
///
/// The server's certificate must chain to the certificate authority and name what the client
/// dialled: the host name, or, for a server given as an IPv4 address, that address among its IP
/// subject alternative names (a mismatch fails the TLS handshake).
///
/// An unreachable server (a restart, a network cut) is retried with exponential backoff,
/// 100 ms doubling to 2 s, for ``ClientSettings/giveUpAfter``; an upload the server refuses
/// as stale (not sampled, duplicate: the round was redone) is dropped and the loop goes on.
public enum ClientRole {
    /// Runs client `settings.clientID` until the server says the run is over.
    ///
    /// - Returns: the client's final model and H, at the server's last round.
    /// - Throws: ``NetworkError`` for a refusal that retrying cannot fix (authentication,
    ///   configuration), a malformed record, or a server unreachable for too long.
    public static func run(_ settings: ClientSettings, logger: Logger) async throws(NetworkError) -> Hiso_Federation_V1_ModelCheckpoint {
        let transport: HTTP2ClientTransport.Posix
        do {
            let isAddress = settings.host.split(separator: ".").count == 4 && settings.host.split(separator: ".").allSatisfy { UInt8($0) != nil }
            let target: any ResolvableTarget = isAddress
                ? .ipv4(host: settings.host, port: settings.port) : .dns(host: settings.host, port: settings.port)
            transport = try .http2NIOPosix(
                target: target,
                transportSecurity: .tls { tls in
                    tls.trustRoots = .certificates([.file(path: settings.certificateAuthority, format: .pem)])
                },
                config: .defaults { config in
                    if let counter = settings.byteCounter {
                        config.channelDebuggingCallbacks.onCreateTCPConnection = { counter.install(on: $0) }
                    }
                })
        } catch {
            throw .setup("cannot set up TLS to \(settings.host):\(settings.port): \(error)")
        }
        do {
            return try await withGRPCClient(transport: transport) { grpc in
                let session = ClientSession(settings: settings, api: Hiso_Federation_V1_Federation.Client(wrapping: grpc), logger: logger)
                return try await session.run()
            }
        } catch let error as NetworkError {
            throw error
        } catch let error as RPCError {
            throw .transport("\(error.code): \(error.message)")
        } catch {
            throw .transport("\(error)")
        }
    }
}

/// One client's connection and state (see ``ClientRole``).
private final class ClientSession<Transport: ClientTransport> {
    let settings: ClientSettings
    let api: Hiso_Federation_V1_Federation.Client<Transport>
    let logger: Logger
    let metadata: Metadata

    init(settings: ClientSettings, api: Hiso_Federation_V1_Federation.Client<Transport>, logger: Logger) {
        self.settings = settings
        self.api = api
        self.logger = logger
        metadata = ["authorization": "Bearer \(settings.token)"]
    }

    func run() async throws -> Hiso_Federation_V1_ModelCheckpoint {
        let id = settings.clientID
        var join = Hiso_Federation_V1_JoinRequest()
        join.protocolVersion = FederationProtocol.version
        join.clientID = id
        if let configuration = settings.configuration { join.configuration = try configuration.wire() }
        let joined = try await retrying("join") { try await self.api.join(join, metadata: self.metadata) }
        count(join, joined)
        let configuration = try NetworkConfiguration(wire: joined.configuration)
        let run = configuration.run
        logger.info("client \(id) joined at server round \(joined.serverRound)")

        let task = try TaskFactory.makeTask(configuration)
        let backend = try TaskFactory.backend(run)
        var x = [Float](repeating: 0, count: task.parameterCount)
        x.withUnsafeMutableBufferPointer { task.initialParameters(seed: run.seed, into: $0) }
        let client: Client
        do {
            client = Client(
                id: Int(id), parameters: x, preconditioner: try run.makePreconditioner(dimension: x.count),
                estimator: try run.makeEstimator(), localSteps: run.localSteps, backend: backend)
        } catch {
            throw NetworkError.federation(error)
        }
        let attack = Attack(
            kind: run.attack, strength: run.attackStrength, attackers: run.attackers, clients: run.clients, seed: run.seed)

        while true {
            var request = Hiso_Federation_V1_TaskRequest()
            request.protocolVersion = FederationProtocol.version
            request.clientID = id
            request.syncRound = client.syncRound
            let reply = try await retrying("task request") { try await self.api.nextTask(request, metadata: self.metadata) }
            count(request, reply)
            switch reply.kind {
            case .assignment(let assignment)?:
                try catchUp(client, assignment.catchUp, run: run)
                let round = assignment.round
                guard client.syncRound == round else {
                    throw NetworkError.malformedMessage(what: "assignment for round \(round) brings the client to round \(client.syncRound)")
                }
                let learningRate = run.learningRateSchedule.learningRate(round: round)
                guard assignment.learningRate == learningRate else {
                    throw NetworkError.malformedMessage(
                        what: "round \(round) has learning rate \(assignment.learningRate), the schedule says \(learningRate)")
                }
                var upload = try client.upload(runSeed: run.seed, learningRate: learningRate) { parameters, step in
                    try task.loss(at: parameters, batch: BatchKey(seed: run.seed, client: Int(id), round: round, step: step))
                }
                attack.apply(to: &upload.scalars, client: Int(id), round: round)
                logger.info("client \(id): round \(round) computed")
                if settings.uploadDelay > .zero { try await Task.sleep(for: settings.uploadDelay) }
                var message = Hiso_Federation_V1_UploadRequest()
                message.protocolVersion = FederationProtocol.version
                message.clientID = id
                message.round = round
                message.scalars = upload.scalars
                message.loss = upload.loss
                do {
                    let reply = try await retrying("upload") { try await self.api.upload(message, metadata: self.metadata) }
                    count(message, reply)
                } catch let error as RPCError where error.code == .failedPrecondition || error.code == .alreadyExists {
                    logger.notice("client \(id): upload for round \(round) dropped: \(error.message)")
                }
            case .idle?, nil:
                continue
            case .finished(let end)?:
                try catchUp(client, end.catchUp, run: run)
                var snapshot = Hiso_Federation_V1_ModelCheckpoint()
                snapshot.round = client.syncRound
                snapshot.parameters = client.parameters
                snapshot.hessian = client.preconditioner.hessian ?? []
                if let path = settings.stateOutput { try snapshot.write(to: path) }
                logger.info("client \(id): run finished, synchronised at round \(client.syncRound)")
                return snapshot
            }
        }
    }

    /// Counts a request and its response in ``ClientSettings/byteCounter``, if any (their
    /// protobuf sizes; a retried request counts once).
    private func count(_ request: some SwiftProtobuf.Message, _ response: some SwiftProtobuf.Message) {
        guard let counter = settings.byteCounter else { return }
        for message in [request, response] as [any SwiftProtobuf.Message] {
            counter.countMessage(bytes: ((try? message.serializedBytes()) as [UInt8]?)?.count ?? 0)
        }
    }

    private func catchUp(_ client: Client, _ records: [Hiso_Federation_V1_RoundRecord], run: RunConfiguration) throws {
        let decoded = try records.map { record throws(NetworkError) in try RoundRecord(wire: record, configuration: run) }
        do {
            try client.catchUp(with: decoded)
        } catch {
            throw NetworkError.federation(error)
        }
    }

    /// Runs `call`, retrying with exponential backoff while the server is unreachable.
    private func retrying<R>(_ what: String, _ call: () async throws -> R) async throws -> R {
        let start = ContinuousClock.now
        var delay = Duration.milliseconds(100)
        while true {
            do {
                return try await call()
            } catch let error as RPCError where error.code == .unavailable || error.code == .unknown {
                guard ContinuousClock.now - start < settings.giveUpAfter else {
                    throw NetworkError.transport("\(what): the server stayed unreachable for \(settings.giveUpAfter): \(error.message)")
                }
                logger.notice("client \(settings.clientID): \(what) failed (\(error.code)); retrying in \(delay)")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}
