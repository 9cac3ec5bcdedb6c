import Foundation
import HiSoWire

/// The clients' credentials: one secret bearer token per client index.
///
/// File format (`tokens.txt`): one line per client, `<client index> <token>`; `#` starts a
/// comment. Tokens travel in the `authorization` metadata entry as `Bearer <token>`, inside TLS.
/// ``owner(of:)`` compares in time independent of where the strings differ.
///
/// Memory: one string per client; lookups are O(clients x token length).
public struct TokenStore: Sendable {
    private let tokens: [(client: UInt32, token: [UInt8])]

    /// A store of the given tokens.
    ///
    /// - Throws: ``NetworkError/setup(_:)`` for an empty token or a client listed twice.
    public init(_ tokens: [UInt32: String]) throws(NetworkError) {
        for (client, token) in tokens where token.isEmpty { throw .setup("client \(client) has an empty token") }
        self.tokens = tokens.sorted { $0.key < $1.key }.map { ($0.key, Array($0.value.utf8)) }
    }

    /// Reads a token file.
    ///
    /// - Throws: ``NetworkError/setup(_:)`` naming the file and line.
    public static func read(path: String) throws(NetworkError) -> TokenStore {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .setup("cannot read the token file \(path)")
        }
        var tokens: [UInt32: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: \.isWhitespace)
            if fields.isEmpty { continue }
            guard fields.count == 2, let client = UInt32(fields[0]) else {
                throw .setup("\(path):\(number + 1): expected '<client index> <token>'")
            }
            guard tokens[client] == nil else { throw .setup("\(path):\(number + 1): client \(client) is listed twice") }
            tokens[client] = String(fields[1])
        }
        return try TokenStore(tokens)
    }

    /// The token of `client` (what its process presents), `nil` when it has none.
    public func token(of client: UInt32) -> String? {
        tokens.first { $0.client == client }.map { String(decoding: $0.token, as: UTF8.self) }
    }

    /// The client a presented token belongs to, `nil` for an unknown token.
    public func owner(of presented: String) -> UInt32? {
        let bytes = Array(presented.utf8)
        var found: UInt32?
        for (client, token) in tokens where Self.constantTimeEqual(token, bytes) { found = client }
        return found
    }

    /// Checks the `authorization` value of a request speaking for `claimed`.
    ///
    /// - Throws: ``NetworkError/unauthenticated(client:)`` for a missing or unknown token,
    ///   ``NetworkError/impersonation(claimed:tokenOwner:)`` for another client's token.
    public func authenticate(authorization: String?, claimed: UInt32) throws(NetworkError) {
        guard let owner = owner(authorization: authorization) else { throw .unauthenticated(client: claimed) }
        guard owner == claimed else { throw .impersonation(claimed: claimed, tokenOwner: owner) }
    }

    /// Checks the `authorization` value of a request that speaks for no client (`Status`): any
    /// client's token is accepted.
    ///
    /// - Returns: the client whose token it is.
    /// - Throws: ``NetworkError/unauthenticated(client:)`` (client `nil`) for a missing or unknown token.
    @discardableResult
    public func authenticate(authorization: String?) throws(NetworkError) -> UInt32 {
        guard let owner = owner(authorization: authorization) else { throw .unauthenticated(client: nil) }
        return owner
    }

    /// The owner of the token in an `authorization` value `Bearer <token>`, `nil` when absent or unknown.
    private func owner(authorization: String?) -> UInt32? {
        let prefix = "Bearer "
        guard let value = authorization, value.hasPrefix(prefix) else { return nil }
        return owner(of: String(value.dropFirst(prefix.count)))
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
