import GRPCCore
import HiSoFederation
import HiSoNetwork
import HiSoWire
import Testing

/// Every refusal of the server: a typed error (its gRPC status and key), a counter in the
/// status, and a model that does not move.
@Suite("Refusals and bad messages", .serialized)
struct RefusalTests {
    static func request(_ client: UInt32, sync: UInt64 = 0) -> Hiso_Federation_V1_TaskRequest {
        var request = Hiso_Federation_V1_TaskRequest()
        request.protocolVersion = FederationProtocol.version
        request.clientID = client
        request.syncRound = sync
        return request
    }

    static func upload(_ client: UInt32, round: UInt64 = 0, scalars: [Float]) -> Hiso_Federation_V1_UploadRequest {
        var upload = Hiso_Federation_V1_UploadRequest()
        upload.protocolVersion = FederationProtocol.version
        upload.clientID = client
        upload.round = round
        upload.scalars = scalars
        return upload
    }

    /// Expects `call` to be refused with `code` and a message starting with `key`.
    static func expectRefusal(_ key: String, _ code: RPCError.Code, _ call: () async throws -> Void) async {
        do {
            try await call()
            Issue.record("\(key): the request was accepted")
        } catch let error as RPCError {
            #expect(error.code == code, "\(key): \(error)")
            #expect(error.message.hasPrefix("\(key):"), "\(error.message)")
        } catch {
            Issue.record("\(key): unexpected error \(error)")
        }
    }

    @Test("a client refuses a server whose certificate does not name the address it dialled")
    func serverIdentity() async throws {
        let configuration = NetFixture.configuration(clients: 2, sampled: 1, rounds: 1)
        var settings = ServerSettings()
        settings.minimumClients = 2
        let pki = try TestCertificates(clients: 2, addresses: ["192.0.2.10"], hosts: ["server.example.org"], loopback: false)
        let server = try await InProcessServer(configuration, settings: settings, pki: pki)
        var join = Hiso_Federation_V1_JoinRequest()
        join.protocolVersion = FederationProtocol.version
        join.clientID = 0
        do {
            _ = try await server.withAPI { api in try await api.join(join, metadata: server.bearer(0)) }
            Issue.record("a certificate for 192.0.2.10 and server.example.org was accepted at 127.0.0.1")
        } catch let error as RPCError {
            #expect(error.code == .unavailable, "\(error)")
            #expect("\(error)".contains("failedToValidateHostname"), "\(error)")
        }
        let status = await server.coordinator.status()
        #expect(status.refusals.isEmpty && status.round == 0, "nothing reached the server")
        server.serving.cancel()
    }

    @Test("unauthenticated, impersonation, version and configuration mismatch, not sampled, bad scalars, oversized, duplicate and replayed uploads")
    func refusals() async throws {
        let configuration = NetFixture.configuration(clients: 3, sampled: 2, rounds: 3)
        var settings = ServerSettings()
        settings.minimumClients = 3
        settings.minimumAnswers = 2
        settings.pollTimeout = .seconds(5)
        settings.roundDeadline = .seconds(120)
        let server = try await InProcessServer(configuration, settings: settings)
        let initial = await server.coordinator.modelCheckpoint()
        let scalars = configuration.run.localSteps * configuration.run.perturbations

        let statusRequest = Hiso_Federation_V1_StatusRequest.with { $0.protocolVersion = FederationProtocol.version }
        try await server.withAPI { api in
            var join = Hiso_Federation_V1_JoinRequest()
            join.protocolVersion = FederationProtocol.version
            join.clientID = 0
            await Self.expectRefusal("unauthenticated", .unauthenticated) { _ = try await api.join(join) }
            await Self.expectRefusal("unauthenticated", .unauthenticated) {
                _ = try await api.join(join, metadata: InProcessServer.bearer("not-a-token"))
            }
            await Self.expectRefusal("impersonation", .permissionDenied) { _ = try await api.join(join, metadata: server.bearer(1)) }
            await Self.expectRefusal("unauthenticated", .unauthenticated) { _ = try await api.status(statusRequest) }
            var future = join
            future.protocolVersion = FederationProtocol.version + 1
            await Self.expectRefusal("version-mismatch", .failedPrecondition) {
                _ = try await api.join(future, metadata: server.bearer(0))
            }
            var other = configuration
            other.run.seed += 1
            var mismatched = join
            mismatched.configuration = try other.wire()
            await Self.expectRefusal("configuration-mismatch", .failedPrecondition) {
                _ = try await api.join(mismatched, metadata: server.bearer(0))
            }
            var matching = join
            matching.configuration = try configuration.wire()
            let joined = try await api.join(matching, metadata: server.bearer(0))
            #expect(joined.serverRound == 0)

            // Three clients ask for work; round 0 opens once all three are connected.
            async let a = api.nextTask(Self.request(0), metadata: server.bearer(0))
            async let b = api.nextTask(Self.request(1), metadata: server.bearer(1))
            async let c = api.nextTask(Self.request(2), metadata: server.bearer(2))
            let tasks = try await [a, b, c]
            let sampled = tasks.indices.filter { if case .assignment? = tasks[$0].kind { return true } else { return false } }.map(UInt32.init)
            let idle = try #require((0..<3).map(UInt32.init).first { !sampled.contains($0) })
            #expect(sampled.count == 2)
            let (first, second) = (sampled[0], sampled[1])
            let good = [Float](repeating: 0.25, count: scalars)

            await Self.expectRefusal("not-sampled", .failedPrecondition) {
                _ = try await api.upload(Self.upload(idle, scalars: good), metadata: server.bearer(Int(idle)))
            }
            await Self.expectRefusal("impersonation", .permissionDenied) {
                _ = try await api.upload(Self.upload(first, scalars: good), metadata: server.bearer(Int(idle)))
            }
            await Self.expectRefusal("wrong-scalar-count", .invalidArgument) {
                _ = try await api.upload(Self.upload(first, scalars: [0.25]), metadata: server.bearer(Int(first)))
            }
            for bad in [Float.nan, .infinity, -.infinity] {
                var values = good
                values[scalars - 1] = bad
                await Self.expectRefusal("non-finite-scalar", .invalidArgument) {
                    _ = try await api.upload(Self.upload(first, scalars: values), metadata: server.bearer(Int(first)))
                }
            }
            await Self.expectRefusal("oversized", .resourceExhausted) {
                let huge = [Float](repeating: 1, count: 100_000)
                _ = try await api.upload(Self.upload(first, scalars: huge), metadata: server.bearer(Int(first)))
            }
            var old = Self.upload(first, scalars: good)
            old.protocolVersion = 0
            await Self.expectRefusal("version-mismatch", .failedPrecondition) {
                _ = try await api.upload(old, metadata: server.bearer(Int(first)))
            }
            let untouched = await server.coordinator.modelCheckpoint()
            #expect(NetFixture.bits(untouched.parameters) == NetFixture.bits(initial.parameters))
            #expect(NetFixture.bits(untouched.hessian) == NetFixture.bits(initial.hessian))
            #expect(untouched.round == 0)

            _ = try await api.upload(Self.upload(first, scalars: good), metadata: server.bearer(Int(first)))
            await Self.expectRefusal("duplicate-upload", .alreadyExists) {
                _ = try await api.upload(Self.upload(first, scalars: good), metadata: server.bearer(Int(first)))
            }
            _ = try await api.upload(Self.upload(second, scalars: good), metadata: server.bearer(Int(second)))
            var status = try await api.status(statusRequest, metadata: server.bearer(2))
            for _ in 0..<100 where status.round == 0 {
                try await Task.sleep(for: .milliseconds(50))
                status = try await api.status(statusRequest, metadata: server.bearer(2))
            }
            #expect(status.round == 1)
            await Self.expectRefusal("not-sampled", .failedPrecondition) {
                _ = try await api.upload(Self.upload(first, scalars: good), metadata: server.bearer(Int(first)))
            }
            let counters = try await api.status(statusRequest, metadata: server.bearer(2)).refusals
            #expect(counters == [
                "unauthenticated": 3, "impersonation": 2, "version-mismatch": 2, "configuration-mismatch": 1,
                "not-sampled": 2, "wrong-scalar-count": 1, "non-finite-scalar": 3, "oversized": 1, "duplicate-upload": 1,
            ])
        }
        server.serving.cancel()
    }
}
