import HiSoWire

/// How a client process reaches its server and what it keeps.
public struct ClientSettings: Sendable {
    /// The server's host name or address (it must appear in the server certificate).
    public var host: String
    /// The server's port.
    public var port: Int
    /// PEM file of the certificate authority that signed the server certificate.
    public var certificateAuthority: String
    /// This client's index in `0 ..< M`: which shard of the task's split it trains on.
    public var clientID: UInt32
    /// This client's bearer token.
    public var token: String
    /// The configuration the client expects (`nil` = adopt the server's).
    public var configuration: NetworkConfiguration?
    /// Where to write the final model and H (`nil` = nowhere).
    public var stateOutput: String?
    /// How long to keep retrying an unreachable server before giving up.
    public var giveUpAfter: Duration = .seconds(60)
    /// Delay before each upload: simulates a slow client (deadline and crash tests).
    public var uploadDelay: Duration = .zero

    /// Counts the client's bytes layer by layer (socket, TLS, gRPC messages and protobuf;
    /// ``SocketByteCounter``); `nil` = no counting.
    public var byteCounter: SocketByteCounter?

    /// Creates the settings of client `clientID`.
    public init(host: String, port: Int, certificateAuthority: String, clientID: UInt32, token: String) {
        self.host = host
        self.port = port
        self.certificateAuthority = certificateAuthority
        self.clientID = clientID
        self.token = token
    }
}
