import Foundation
import HiSoWire
import Testing

/// Whether this process may create network namespaces and veth pairs.
let namespacesAvailable = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
    && FileManager.default.isExecutableFile(atPath: "/usr/sbin/tc")

/// A run across network namespaces: the server in its own namespace behind a veth pair with a
/// shaped link, the clients in the test's namespace. Needs root and iproute2.
@Suite("Network namespaces", .serialized, .enabled(if: namespacesAvailable, "needs root and iproute2 (ip netns, veth)"))
struct NetnsTests {
    /// Runs `command` through the shell; returns whether it succeeded.
    @discardableResult
    static func run(_ command: String) -> Bool {
        (try? TestCertificates.sh(command)) != nil
    }

    @Test("server in a namespace behind a veth link with delay and loss (netem) or a rate limit (tbf): same bits as in process")
    func acrossNamespaces() async throws {
        let suffix = String(UInt32.random(in: 0..<0xFFFF), radix: 16)
        let namespace = "hiso-\(suffix)", host = "hh\(suffix)", peer = "hp\(suffix)"
        let serverAddress = "10.213.7.1", clientAddress = "10.213.7.2"
        defer {
            Self.run("ip netns del \(namespace)")
            Self.run("ip link del \(host)")
        }
        try TestCertificates.sh("""
            ip netns add \(namespace) && ip link add \(host) type veth peer name \(peer) && \
            ip link set \(peer) netns \(namespace) && \
            ip addr add \(clientAddress)/24 dev \(host) && ip link set \(host) up && \
            ip netns exec \(namespace) ip addr add \(serverAddress)/24 dev \(peer) && \
            ip netns exec \(namespace) ip link set \(peer) up && ip netns exec \(namespace) ip link set lo up
            """)
        let netem = Self.run("tc qdisc add dev \(host) root netem delay 20ms 5ms loss 1%")
            && Self.run("ip netns exec \(namespace) tc qdisc add dev \(peer) root netem delay 20ms 5ms loss 1%")
        if !netem {
            try TestCertificates.sh("""
                tc qdisc add dev \(host) root tbf rate 1mbit burst 16kbit latency 100ms && \
                ip netns exec \(namespace) tc qdisc add dev \(peer) root tbf rate 1mbit burst 16kbit latency 100ms
                """)
        }
        print("netns run: \(netem ? "netem delay 20 ms +- 5 ms, loss 1%" : "this kernel has no netem; tbf 1 Mbit/s rate limit instead")")

        let configuration = NetFixture.configuration(clients: 4, sampled: 2, rounds: 15)
        let pki = try TestCertificates(clients: 4, addresses: [serverAddress])
        try NetFixture.writeRunConfig(configuration, to: pki.path("run.json"))
        let server = try NetProcess([
            "serve", "--run-config", pki.path("run.json"), "--host", serverAddress, "--port", "7443",
            "--cert", pki.certificate, "--key", pki.key, "--tokens", pki.tokens, "--log", pki.path("rounds.log"),
            "--state-out", pki.path("server.state"), "--min-clients", "4", "--deadline", "60", "--linger", "20",
        ], log: pki.path("server.err"), launcher: ["/usr/sbin/ip", "netns", "exec", namespace])
        try await server.waitFor("listening on")
        let clients = try (0..<4).map { id in
            try NetProcess([
                "join", "--server", "\(serverAddress):7443", "--ca", pki.ca, "--client-id", "\(id)",
                "--token-file", pki.tokens, "--state-out", pki.path("client\(id).state"),
            ], log: pki.path("client\(id).err"))
        }
        #expect(try await server.waitForExit() == 0, "\(server.output.suffix(2000))")
        for client in clients { #expect(try await client.waitForExit() == 0, "\(client.output.suffix(2000))") }
        let final = try Hiso_Federation_V1_ModelCheckpoint.read(from: pki.path("server.state"))
        #expect(final.round == 15)
        let simulated = try NetFixture.simulate(configuration)
        #expect(NetFixture.bits(final.parameters) == NetFixture.bits(simulated.x))
        #expect(NetFixture.bits(final.hessian) == NetFixture.bits(simulated.h))
        for id in 0..<4 {
            let state = try Hiso_Federation_V1_ModelCheckpoint.read(from: pki.path("client\(id).state"))
            #expect(NetFixture.bits(state.parameters) == NetFixture.bits(final.parameters))
        }
    }
}
