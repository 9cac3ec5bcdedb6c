/// Constants of the wire protocol (`Protos/hiso/federation/v1/federation.proto`).
public enum FederationProtocol {
    /// The protocol version this build speaks; every request carries it.
    public static let version: UInt32 = 1

    /// The largest upload accepted for `scalars = tau x P`: 4 bytes per packed float32 plus
    /// 64 bytes for the other fields, tags and lengths.
    ///
    /// Complexity: O(1).
    public static func uploadLimit(scalars: Int) -> Int { 4 * scalars + 64 }

    /// The server transport's gRPC request limit; larger messages are refused by the transport
    /// before the service sees them (clients accept responses up to gRPC's default 4 MiB: a
    /// catch-up of about 100,000 rounds of `tau P = 5`).
    public static let transportLimit = 16 << 20
}
