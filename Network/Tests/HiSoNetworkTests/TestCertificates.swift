import Foundation
import HiSoNetwork

/// A throw-away directory with a PKI for one test (``Credentials``: a certificate authority, a
/// server certificate for `localhost` / `127.0.0.1` plus extra addresses, one token per client).
struct TestCertificates {
    let directory: URL
    let tokenStore: TokenStore
    var ca: String { path("ca.pem") }
    var certificate: String { path("server.pem") }
    var key: String { path("server.key") }
    var tokens: String { path("tokens.txt") }

    /// - Parameters:
    ///   - clients: how many client tokens.
    ///   - addresses: IPv4 addresses the server certificate names besides `127.0.0.1`.
    ///   - hosts: the host names it names (`localhost` unless given).
    ///   - loopback: whether it names `127.0.0.1` (the address every test server listens on).
    init(clients: Int, addresses: [String] = [], hosts: [String] = ["localhost"], loopback: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-net-\(UUID().uuidString)")
        try Credentials.generate(
            directory: directory.path, hosts: hosts, addresses: (loopback ? ["127.0.0.1"] : []) + addresses, clients: clients, days: 2)
        tokenStore = try TokenStore.read(path: directory.appendingPathComponent("tokens.txt").path)
    }

    /// The token of `client`.
    func token(_ client: Int) -> String { tokenStore.token(of: UInt32(client)) ?? "" }

    /// A path in the test's directory.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs `command` with `/bin/sh -c`.
    static func sh(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("command failed (\(process.terminationStatus)): \(command)")
        }
    }
}

/// A failure of the test's own machinery (not of the code under test).
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
