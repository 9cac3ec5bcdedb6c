import ArgumentParser
import HiSoNetwork

/// `hiso-net certs`: a certificate authority, a server certificate and client tokens.
struct CertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Write ca.pem/ca.key, server.pem/server.key (signed by the CA) and tokens.txt into a directory.")

    @Option(help: "Directory to write into.") var out: String
    @Option(name: .customLong("host"), help: "A DNS name clients dial (repeatable).") var hosts: [String] = []
    @Option(name: .customLong("ip"), help: "An IPv4 address clients dial (repeatable).") var addresses: [String] = []
    @Option(help: "Number of client tokens.") var clients: Int
    @Option(help: "Validity in days.") var days: Int = 365

    func run() async throws {
        guard !hosts.isEmpty || !addresses.isEmpty else { throw ValidationError("give at least one --host or --ip") }
        try Credentials.generate(directory: out, hosts: hosts, addresses: addresses, clients: clients, days: days)
        print("wrote ca.pem, ca.key, server.pem, server.key and tokens.txt (\(clients) clients) to \(out)")
    }
}
