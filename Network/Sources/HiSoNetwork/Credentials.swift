import Crypto
import Foundation
import HiSoWire
import SwiftASN1
import X509

/// A small PKI for a federation: a certificate authority, a server certificate it signs for the
/// given host names and IPv4 addresses, and one random bearer token per client.
///
/// Files written: `ca.pem` and `ca.key` (keep the key offline), `server.pem` and `server.key`,
/// `tokens.txt` (`<client> <token>` lines, 24 random bytes in hex each). Keys are ECDSA P-256;
/// certificates are valid for `days` days from now.
public enum Credentials {
    /// Writes the files into `directory` (created if needed).
    ///
    /// - Throws: ``NetworkError/setup(_:)`` for an address that is not IPv4 dotted decimal, or
    ///   ``NetworkError/storage(file:reason:)`` when a file cannot be written.
    public static func generate(
        directory: String, hosts: [String], addresses: [String], clients: Int, days: Int = 365
    ) throws(NetworkError) {
        let files: [String: String]
        do {
            files = try make(hosts: hosts, addresses: addresses, clients: clients, days: days)
        } catch let error as NetworkError {
            throw error
        } catch {
            throw .setup("cannot make the certificates: \(error)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .storage(file: directory, reason: "cannot create the directory: \(error)")
        }
        for (name, text) in files {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw .storage(file: path, reason: "cannot write: \(error)")
            }
            if name.hasSuffix(".key") || name == "tokens.txt" { chmod(path, 0o600) }
        }
    }

    private static func make(hosts: [String], addresses: [String], clients: Int, days: Int) throws -> [String: String] {
        let now = Date()
        let until = now.addingTimeInterval(Double(days) * 86_400)
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("hiso federation CA") }
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PrivateKey(caKey).publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: until, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))
        var names = hosts.map { GeneralName.dnsName($0) }
        for address in addresses {
            let parts = address.split(separator: ".").compactMap { UInt8($0) }
            guard parts.count == 4 else { throw NetworkError.setup("'\(address)' is not an IPv4 address") }
            names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(parts))))
        }
        let serverKey = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PrivateKey(serverKey).publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: until, issuer: caName,
            subject: try DistinguishedName { CommonName(hosts.first ?? addresses.first ?? "hiso server") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey))
        var generator = SystemRandomNumberGenerator()
        let tokens = (0..<clients).map { client in
            let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
            return "\(client) " + bytes.map { String(format: "%02x", $0) }.joined()
        }
        return [
            "ca.pem": try ca.serializeAsPEM().pemString + "\n",
            "ca.key": caKey.pemRepresentation + "\n",
            "server.pem": try server.serializeAsPEM().pemString + "\n",
            "server.key": serverKey.pemRepresentation + "\n",
            "tokens.txt": tokens.joined(separator: "\n") + "\n",
        ]
    }
}
