import ArgumentParser
import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoNetwork
import HiSoWire
import Logging

/// `hiso-net bench`: the networked federation against the same run in process.
///
/// 1. Rounds per second of `--task` (digits by default) with `--clients` clients (each its own TLS connection, all in
///    this process) and an in-process server, against `FederatedRun` of the same configuration
///    measured in the same invocation (the floor).
/// 2. Bytes per round counted at the clients' sockets (both directions, steady state after the
///    joins) against the ledger's payload bytes per round, split by layer
///    (``SocketByteCounter``): protobuf, gRPC's 5-byte message prefix, HTTP/2 (frame and HPACK
///    headers, settings, pings, window updates) and TLS (record headers, inner type, AEAD tag).
/// 3. The resident memory of a `hiso-net serve` process as 16 -> 64 -> 256 clients connect
///    (`--memory-clients`); idle clients should cost O(1) each.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure rounds/s, bytes on the wire and server memory against the in-process run.")

    @Option(help: "Clients (each with its own connection).") var clients: Int = 16
    @Option(name: .customLong("sampled"), help: "Clients sampled per round.") var sampled: Int = 4
    @Option(help: "Rounds.") var rounds: Int = 200
    @Option(help: "Task: digits or fmnist-cnn (Fashion-MNIST from the system path; every in-process client loads its own copy).")
    var task: String = TaskName.digits.rawValue
    @Option(name: .customLong("lr"), help: "Learning rate.") var learningRate: Float = 0.02

    /// The task `--task` names, when the bench supports it.
    private var taskName: TaskName? {
        [TaskName.digits, .fmnistCNN].first { $0.rawValue == task }
    }

    func validate() throws {
        guard taskName != nil else { throw ValidationError("--task: digits or fmnist-cnn, found \(task)") }
        guard clients >= 1, sampled >= 1, sampled <= clients else {
            throw ValidationError("--sampled must be in 1...--clients, found \(sampled) of \(clients)")
        }
        guard rounds >= 2 else { throw ValidationError("--rounds must be at least 2, found \(rounds)") }
        guard learningRate > 0 else { throw ValidationError("--lr must be positive, found \(learningRate)") }
    }
    @Option(name: .customLong("memory-clients"), help: "Client counts for the server memory figure (comma-separated; empty = skip).")
    var memoryClients: String = "16,64,256"

    func run() async throws {
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("hiso-net bench: \(task), \(clients) clients, \(sampled) sampled, \(rounds) rounds; load average \(load)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-net-bench-\(UUID().uuidString)").path
        let counts = memoryClients.split(separator: ",").compactMap { Int($0) }
        try Credentials.generate(
            directory: directory, hosts: ["localhost"], addresses: ["127.0.0.1"], clients: max(clients, counts.max() ?? 0), days: 1)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var run = RunConfiguration()
        run.method = .hiso
        run.clients = clients
        run.sampledClients = sampled
        run.rounds = rounds
        run.evaluateEvery = rounds
        run.learningRate = learningRate
        let configuration = NetworkConfiguration(run: run, task: TaskSpecification(name: taskName ?? .digits))

        let task = try TaskCatalog().makeTask(
            configuration.task, clients: clients, localSteps: run.localSteps, backend: try Kernels.backend(run.backend, threads: run.threads))
        let floor = try FederatedRun(configuration: run, task: task)
        try floor.run()
        let floorRate = Double(rounds) / floor.trainingSeconds
        let ledgerPerRound = Double(floor.ledger.totalUp.total + floor.ledger.totalDown.total) / Double(rounds)

        let network = try await networkRun(configuration, directory: directory)
        print(String(format: "rounds/s: in process %.0f, over the network %.1f (%.1fx slower)", floorRate, network.rate, floorRate / network.rate))
        print(String(format: "bytes per round: ledger payload %.0f; at the sockets %.0f (%.1fx)",
                     ledgerPerRound, network.bytesPerRound, network.bytesPerRound / ledgerPerRound))
        let layers = network.layers
        print(String(format: "  by layer, per round: protobuf %.0f (%.1f messages), gRPC prefixes %.0f, HTTP/2 %.0f, TLS %.0f (%.1f records)",
                     layers.protobuf, layers.messages, layers.grpc, layers.http2, layers.tls, layers.records))
        print(String(format: "bytes per joined client (TLS handshake, HTTP/2 setup, Join): %.0f", network.joinBytesPerClient))
        print("final x equals the in-process run bit for bit: \(network.final.parameters == floor.parameters)")

        if !counts.isEmpty { try await memory(counts, directory: directory) }
    }

    /// Steady-state bytes per round by layer; they add up to the socket bytes.
    private struct Layers {
        var protobuf: Double, messages: Double, grpc: Double, http2: Double, tls: Double, records: Double

        /// The layers of what `end` counted beyond `start`, per round.
        init(_ start: Snapshot, _ end: Snapshot, rounds: Double) {
            let socket = Double(end.socket - start.socket)
            let plaintext = Double(end.plaintext - start.plaintext)
            messages = Double(end.messages - start.messages) / rounds
            protobuf = Double(end.protobuf - start.protobuf) / rounds
            grpc = 5 * messages
            http2 = plaintext / rounds - protobuf - grpc
            tls = (socket - plaintext) / rounds
            records = Double(end.records - start.records) / rounds
        }
    }

    /// The counters at one instant.
    private struct Snapshot {
        var socket: UInt64, plaintext: UInt64, messages: UInt64, protobuf: UInt64, records: UInt64

        init(_ counter: SocketByteCounter) {
            socket = counter.sent + counter.received
            plaintext = counter.tlsPlaintext
            messages = counter.messages
            protobuf = counter.protobufBytes
            records = counter.tlsRecords
        }
    }

    private struct NetworkFigures {
        var rate: Double
        var bytesPerRound: Double
        var layers: Layers
        var joinBytesPerClient: Double
        var final: Hiso_Federation_V1_ModelCheckpoint
    }

    private func networkRun(_ configuration: NetworkConfiguration, directory: String) async throws -> NetworkFigures {
        var quiet = Logger(label: "hiso-net.bench") { StreamLogHandler.standardError(label: $0) }
        quiet.logLevel = .error
        var settings = ServerSettings()
        settings.minimumClients = clients
        settings.minimumAnswers = sampled
        settings.roundDeadline = .seconds(120)
        settings.checkpointEvery = rounds
        let coordinator = try FederationCoordinator(
            configuration: configuration, settings: settings, logPath: "\(directory)/rounds.log", logger: quiet)
        let tokens = try TokenStore.read(path: "\(directory)/tokens.txt")
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let logger = quiet
        let serving = Task {
            try await ServerRole.serve(
                coordinator, tokens: tokens,
                endpoint: ServerEndpoint(host: "127.0.0.1", port: 0, certificateChain: "\(directory)/server.pem", privateKey: "\(directory)/server.key"),
                linger: .seconds(30), logger: logger
            ) { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ValidationError("the benchmark server did not start") }
        let counter = SocketByteCounter()
        let clientTasks = (0..<clients).map { id in
            var settings = ClientSettings(
                host: "127.0.0.1", port: port, certificateAuthority: "\(directory)/ca.pem", clientID: UInt32(id),
                token: tokens.token(of: UInt32(id)) ?? "")
            settings.byteCounter = counter
            return Task { try await ClientRole.run(settings, logger: logger) }
        }
        while await coordinator.status().round < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let start = ContinuousClock.now
        let startCounts = Snapshot(counter)
        while await !coordinator.status().finished { try await Task.sleep(for: .milliseconds(1)) }
        let elapsed = ContinuousClock.now - start
        let endCounts = Snapshot(counter)
        let final = try await serving.value
        for task in clientTasks { _ = try await task.value }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let measured = Double(rounds - 1)
        return NetworkFigures(
            rate: measured / seconds, bytesPerRound: Double(endCounts.socket - startCounts.socket) / measured,
            layers: Layers(startCounts, endCounts, rounds: measured),
            joinBytesPerClient: Double(startCounts.socket) / Double(clients), final: final)
    }

    /// Server RSS with growing numbers of connected clients (the server in its own process).
    private func memory(_ counts: [Int], directory: String) async throws {
        var run = RunConfiguration()
        run.clients = counts.max() ?? 1
        run.sampledClients = 2
        run.rounds = 1_000_000
        run.evaluateEvery = 1_000_000
        let runPath = "\(directory)/memory-run.json"
        try JSONEncoder().encode(run).write(to: URL(fileURLWithPath: runPath))
        let logPath = "\(directory)/memory-server.err"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        server.arguments = [
            "serve", "--run-config", runPath, "--host", "127.0.0.1", "--port", "0", "--port-file", "\(directory)/memory-port",
            "--cert", "\(directory)/server.pem", "--key", "\(directory)/server.key", "--tokens", "\(directory)/tokens.txt",
            "--log", "\(directory)/memory-rounds.log", "--liveness", "60", "--deadline", "30",
        ]
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL) }
        var port: Int?
        let started = ContinuousClock.now
        while port == nil {
            guard server.isRunning, ContinuousClock.now - started < .seconds(120) else {
                throw NetworkError.setup("the memory benchmark's server did not report its port; see \(logPath)")
            }
            try await Task.sleep(for: .milliseconds(100))
            port = (try? String(contentsOfFile: "\(directory)/memory-port", encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        var quiet = Logger(label: "hiso-net.bench") { StreamLogHandler.standardError(label: $0) }
        quiet.logLevel = .critical
        let logger = quiet
        let tokens = try TokenStore.read(path: "\(directory)/tokens.txt")
        var tasks: [Task<Hiso_Federation_V1_ModelCheckpoint, any Error>] = []
        let baseline = Self.residentKiB(server.processIdentifier)
        var previous = (clients: 0, kib: baseline)
        print("server memory (RSS): \(baseline) KiB with no client")
        for count in counts.sorted() {
            for id in tasks.count..<count {
                let settings = ClientSettings(
                    host: "127.0.0.1", port: port ?? 0, certificateAuthority: "\(directory)/ca.pem", clientID: UInt32(id),
                    token: tokens.token(of: UInt32(id)) ?? "")
                tasks.append(Task { try await ClientRole.run(settings, logger: logger) })
            }
            let waiting = ContinuousClock.now
            while (try? String(contentsOfFile: logPath, encoding: .utf8))?.components(separatedBy: " connected").count ?? 0 <= count {
                guard server.isRunning, ContinuousClock.now - waiting < .seconds(300) else {
                    throw NetworkError.setup("the memory benchmark's server did not see \(count) clients connect; see \(logPath)")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            try await Task.sleep(for: .seconds(3))
            let kib = Self.residentKiB(server.processIdentifier)
            let perClient = Double(kib - previous.kib) / Double(count - previous.clients)
            print(String(format: "server memory (RSS): %d KiB with %d clients connected (%.1f KiB per added client)", kib, count, perClient))
            previous = (count, kib)
        }
        for task in tasks { task.cancel() }
    }

    private static func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(whereSeparator: \.isWhitespace).dropFirst().first ?? "") ?? 0
    }
}
