import HiSoFederation

/// A typed error for everything the networked federation refuses or fails at.
///
/// Each refusal names the client, the round and the value at fault; ``counterKey`` is the name
/// under which the server counts it in its status, and ``rpcCode`` the gRPC status it travels as.
public enum NetworkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No token, or a token the server does not know, on a request speaking for `client`
    /// (`nil`: a request that speaks for no client, such as `Status`).
    case unauthenticated(client: UInt32?)
    /// A valid token of `tokenOwner` used to speak for `claimed`.
    case impersonation(claimed: UInt32, tokenOwner: UInt32)
    /// An upload for a round the client is not sampled in (or that is already closed).
    case notSampled(client: UInt32, round: UInt64)
    /// A second upload for the same round.
    case duplicateUpload(client: UInt32, round: UInt64)
    /// An upload without exactly `tau x P` scalars.
    case wrongScalarCount(client: UInt32, expected: Int, found: Int)
    /// An upload with a NaN or infinite scalar at `index`.
    case nonFiniteScalar(client: UInt32, index: Int)
    /// A message larger than the protocol allows.
    case oversized(what: String, bytes: Int, limit: Int)
    /// A request in a protocol version this server does not speak.
    case versionMismatch(expected: UInt32, found: UInt32)
    /// The client's run configuration differs from the server's (`what` names the first key).
    case configurationMismatch(what: String)
    /// A client index outside `0 ..< clients`.
    case unknownClient(client: UInt32, clients: Int)
    /// A message that does not decode or does not have the shape of this run.
    case malformedMessage(what: String)
    /// The server's round log file is unreadable or inconsistent.
    case logCorrupted(file: String, reason: String)
    /// A file could not be read or written.
    case storage(file: String, reason: String)
    /// The protocol core refused a round, a record or a configuration.
    case federation(FederationError)
    /// The server could not be reached in time, or answered with an unexpected status.
    case transport(String)
    /// A bad setting of the server or client program (certificates, tokens, addresses).
    case setup(String)

    public var description: String {
        switch self {
        case .unauthenticated(let client):
            return "\(client.map { "client \($0)" } ?? "status request"): missing or unknown token"
        case .impersonation(let claimed, let owner):
            return "the token of client \(owner) was used to speak for client \(claimed)"
        case .notSampled(let client, let round):
            return "client \(client) is not sampled in round \(round) (or the round is closed)"
        case .duplicateUpload(let client, let round):
            return "client \(client) already uploaded for round \(round)"
        case .wrongScalarCount(let client, let expected, let found):
            return "client \(client): upload has \(found) scalars, expected tau x P = \(expected)"
        case .nonFiniteScalar(let client, let index):
            return "client \(client): scalar \(index) of the upload is NaN or infinite"
        case .oversized(let what, let bytes, let limit):
            return "\(what) is \(bytes) bytes, the limit is \(limit)"
        case .versionMismatch(let expected, let found):
            return "protocol version \(found), this server speaks version \(expected)"
        case .configurationMismatch(let what):
            return "the client's run configuration differs from the server's: \(what)"
        case .unknownClient(let client, let clients):
            return "client \(client) does not exist (the run has clients 0..<\(clients))"
        case .malformedMessage(let what):
            return "malformed message: \(what)"
        case .logCorrupted(let file, let reason):
            return "round log \(file) is corrupted: \(reason)"
        case .storage(let file, let reason):
            return "\(file): \(reason)"
        case .federation(let error):
            return error.description
        case .transport(let message):
            return "transport: \(message)"
        case .setup(let message):
            return message
        }
    }

    /// The key of this refusal in the server's status counters.
    public var counterKey: String {
        switch self {
        case .unauthenticated: return "unauthenticated"
        case .impersonation: return "impersonation"
        case .notSampled: return "not-sampled"
        case .duplicateUpload: return "duplicate-upload"
        case .wrongScalarCount: return "wrong-scalar-count"
        case .nonFiniteScalar: return "non-finite-scalar"
        case .oversized: return "oversized"
        case .versionMismatch: return "version-mismatch"
        case .configurationMismatch: return "configuration-mismatch"
        case .unknownClient: return "unknown-client"
        case .malformedMessage: return "malformed-message"
        case .logCorrupted: return "log-corrupted"
        case .storage: return "storage"
        case .federation: return "federation"
        case .transport: return "transport"
        case .setup: return "setup"
        }
    }
}
