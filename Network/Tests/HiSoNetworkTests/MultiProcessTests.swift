import Foundation
import HiSoNetwork
import HiSoWire
import Testing

/// Real `hiso-net` processes on loopback: one server, four clients, TLS and tokens.
@Suite("Multi-process federation", .serialized)
struct MultiProcessTests {
    /// One server process and its clients, started from a fresh PKI directory.
    struct Cluster {
        let pki: TestCertificates
        let configuration: NetworkConfiguration

        init(_ configuration: NetworkConfiguration) throws {
            pki = try TestCertificates(clients: configuration.run.clients)
            self.configuration = configuration
            try NetFixture.writeRunConfig(configuration, to: pki.path("run.json"))
        }

        func startServer(_ extra: [String] = [], log: String = "server.err") async throws -> (NetProcess, Int) {
            try? FileManager.default.removeItem(atPath: pki.path("port"))
            let server = try NetProcess([
                "serve", "--run-config", pki.path("run.json"), "--host", "127.0.0.1", "--port", "0",
                "--port-file", pki.path("port"), "--cert", pki.certificate, "--key", pki.key, "--tokens", pki.tokens,
                "--log", pki.path("rounds.log"), "--state-out", pki.path("server.state"), "--linger", "20",
            ] + extra, log: pki.path(log))
            try await server.waitFor("listening on")
            let text = try String(contentsOfFile: pki.path("port"), encoding: .utf8)
            guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestFailure("bad port file '\(text)'") }
            return (server, port)
        }

        func startClient(_ id: Int, port: Int, _ extra: [String] = [], log: String? = nil) throws -> NetProcess {
            try NetProcess([
                "join", "--server", "127.0.0.1:\(port)", "--ca", pki.ca, "--client-id", "\(id)",
                "--token-file", pki.tokens, "--state-out", pki.path("client\(id).state"), "--give-up-after", "120",
            ] + extra, log: pki.path(log ?? "client\(id).err"))
        }

        func state(_ name: String) throws -> Hiso_Federation_V1_ModelCheckpoint {
            try Hiso_Federation_V1_ModelCheckpoint.read(from: pki.path(name))
        }
    }

    @Test("1 server + 4 clients, 30 rounds: server x and H equal the log's replay and the in-process run, bit for bit")
    func cleanRun() async throws {
        let configuration = NetFixture.configuration(clients: 4, sampled: 2, rounds: 30)
        let cluster = try Cluster(configuration)
        let (server, port) = try await cluster.startServer(["--min-clients", "4", "--deadline", "60"])
        let clients = try (0..<4).map { try cluster.startClient($0, port: port) }
        #expect(try await server.waitForExit() == 0, "\(server.output.suffix(2000))")
        for client in clients { #expect(try await client.waitForExit() == 0, "\(client.output.suffix(2000))") }

        let final = try cluster.state("server.state")
        #expect(final.round == 30)
        let replay = try NetFixture.replay(logAt: cluster.pki.path("rounds.log"), configuration)
        #expect(replay.participants.count == 30)
        #expect(NetFixture.bits(final.parameters) == NetFixture.bits(replay.x))
        #expect(NetFixture.bits(final.hessian) == NetFixture.bits(replay.h))
        #expect(!final.hessian.isEmpty)
        let simulated = try NetFixture.simulate(configuration)
        #expect(NetFixture.bits(final.parameters) == NetFixture.bits(simulated.x))
        #expect(NetFixture.bits(final.hessian) == NetFixture.bits(simulated.h))
        for id in 0..<4 {
            let state = try cluster.state("client\(id).state")
            #expect(state.round == 30)
            #expect(NetFixture.bits(state.parameters) == NetFixture.bits(final.parameters), "client \(id)")
            #expect(NetFixture.bits(state.hessian) == NetFixture.bits(final.hessian), "client \(id)")
        }
        #expect(server.output.contains("evaluation after 30 rounds: test accuracy"))
    }

    @Test("SIGKILL a client mid-round: the round closes without it; the restarted client catches up bit-exactly and is sampled again")
    func clientDies() async throws {
        let configuration = NetFixture.configuration(clients: 4, sampled: 2, rounds: 20)
        let cluster = try Cluster(configuration)
        let (server, port) = try await cluster.startServer(["--min-clients", "4", "--deadline", "2"])
        var clients = try (0..<3).map { try cluster.startClient($0, port: port) }
        // Client 3 is slow: it computes, then waits before uploading; it is killed in that window.
        let slow = try cluster.startClient(3, port: port, ["--upload-delay", "600"], log: "client3-first.err")
        try await slow.waitFor("round")
        try await slow.waitFor("computed")
        let killedRound = try #require(Self.round(in: slow.output, after: "client 3: round ", before: " computed"))
        slow.kill()
        try await server.waitFor("round \(killedRound) closes without client 3")
        clients.append(try cluster.startClient(3, port: port))
        #expect(try await server.waitForExit() == 0, "\(server.output.suffix(2000))")
        for client in clients { #expect(try await client.waitForExit() == 0, "\(client.output.suffix(2000))") }

        let final = try cluster.state("server.state")
        let replay = try NetFixture.replay(logAt: cluster.pki.path("rounds.log"), configuration)
        #expect(NetFixture.bits(final.parameters) == NetFixture.bits(replay.x))
        #expect(NetFixture.bits(final.hessian) == NetFixture.bits(replay.h))
        let participants = replay.participants
        #expect(participants.count == 20)
        #expect(!participants[killedRound].contains(3))
        #expect(participants[(killedRound + 1)...].contains { $0.contains(3) }, "client 3 is sampled again after its restart")
        let restarted = try cluster.state("client3.state")
        #expect(restarted.round == 20)
        #expect(NetFixture.bits(restarted.parameters) == NetFixture.bits(final.parameters))
        #expect(NetFixture.bits(restarted.hessian) == NetFixture.bits(final.hessian))
    }

    @Test("SIGKILL the server mid-round and restart it: it resumes from the log, redoes the round, and ends where an uninterrupted run ends")
    func serverDies() async throws {
        let configuration = NetFixture.configuration(clients: 4, sampled: 2, rounds: 20)
        let cluster = try Cluster(configuration)
        let (first, port) = try await cluster.startServer(["--min-clients", "4", "--deadline", "60"], log: "server-first.err")
        // Every client delays its upload a little so that the kill lands inside an open round.
        let clients = try (0..<4).map { try cluster.startClient($0, port: port, ["--upload-delay", "0.3"]) }
        try await first.waitFor("round 8 open")
        first.kill()
        let firstLog = first.output
        #expect(!firstLog.contains("round 8 committed"))

        try? FileManager.default.removeItem(atPath: cluster.pki.path("port"))
        let second = try NetProcess([
            "serve", "--host", "127.0.0.1", "--port", "\(port)", "--port-file", cluster.pki.path("port"),
            "--cert", cluster.pki.certificate, "--key", cluster.pki.key, "--tokens", cluster.pki.tokens,
            "--log", cluster.pki.path("rounds.log"), "--state-out", cluster.pki.path("server.state"), "--linger", "20",
            "--min-clients", "4", "--deadline", "60",
        ], log: cluster.pki.path("server-second.err"))
        #expect(try await second.waitForExit() == 0, "\(second.output.suffix(2000))")
        #expect(second.output.contains("resumed from"))
        #expect(second.output.contains("round 8 open"))
        for client in clients {
            #expect(try await client.waitForExit() == 0, "\(client.output.suffix(2000))")
        }
        // A client that was waiting on the server when it died reconnects with backoff. A client that
        // was inside its upload delay may reach the restarted server without ever seeing it down (its
        // upload for the interrupted round is then dropped and the round redone), so the backoff is
        // required of at least one client, not of each.
        #expect(clients.contains { $0.output.contains("retrying") }, "some client reconnected with backoff")

        let final = try cluster.state("server.state")
        #expect(final.round == 20)
        for id in 0..<4 {
            let state = try cluster.state("client\(id).state")
            #expect(state.round == 20)
            #expect(NetFixture.bits(state.parameters) == NetFixture.bits(final.parameters), "client \(id) ends where the server ends")
            #expect(NetFixture.bits(state.hessian) == NetFixture.bits(final.hessian), "client \(id)")
        }
        let simulated = try NetFixture.simulate(configuration)
        #expect(NetFixture.bits(final.parameters) == NetFixture.bits(simulated.x))
        #expect(NetFixture.bits(final.hessian) == NetFixture.bits(simulated.h))
        let replay = try NetFixture.replay(logAt: cluster.pki.path("rounds.log"), configuration)
        #expect(NetFixture.bits(final.parameters) == NetFixture.bits(replay.x))
    }

    /// The integer between `after` and `before` in the last line of `text` that has both.
    static func round(in text: String, after: String, before: String) -> Int? {
        for line in text.split(separator: "\n").reversed() {
            guard let a = line.range(of: after), let b = line.range(of: before, range: a.upperBound..<line.endIndex) else { continue }
            return Int(line[a.upperBound..<b.lowerBound])
        }
        return nil
    }
}
