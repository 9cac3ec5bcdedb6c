/// Follows the TLS record layer of one direction of a connection, from the raw socket bytes,
/// and counts the records and their bodies, so that the bytes TLS adds can be told apart from
/// the HTTP/2 bytes it carries.
///
/// A TLS record is a 5-byte header (content type, 2-byte legacy version, 2-byte body length)
/// followed by its body. Under TLS 1.3 every record after the handshake has the outer type
/// `application_data` (23) and an AEAD body of `plaintext + 1 + 16` bytes (the inner content
/// type and the authentication tag), so an encrypted record adds
/// ``encryptedRecordOverhead`` = 5 + 1 + 16 = 22 bytes to the plaintext it carries.
///
/// Input may arrive split anywhere (a header across two reads). Memory O(1); time O(1) per
/// record plus O(1) per call.
public struct TLSRecordScanner: Sendable, Equatable {
    /// Bytes TLS 1.3 adds to each encrypted record: the 5-byte header, the 1-byte inner content
    /// type and the 16-byte AEAD tag (AES-GCM and ChaCha20-Poly1305 alike).
    public static let encryptedRecordOverhead = 22
    /// The outer content type of encrypted records (`application_data`).
    public static let applicationData: UInt8 = 23

    /// Records whose header has been read, of every type.
    public private(set) var records: UInt64 = 0
    /// Records of outer type `application_data` (encrypted records under TLS 1.3).
    public private(set) var encryptedRecords: UInt64 = 0
    /// Body bytes of the encrypted records (headers excluded).
    public private(set) var encryptedBodyBytes: UInt64 = 0
    /// Bytes scanned so far.
    public private(set) var bytes: UInt64 = 0

    private var header: [UInt8] = []
    private var remainingBody = 0

    /// A scanner at the start of a connection.
    public init() {}

    /// The plaintext bytes carried by the encrypted records so far (HTTP/2 frames once the
    /// handshake is over): the encrypted bodies less 17 bytes each.
    public var encryptedPlaintextBytes: UInt64 {
        encryptedBodyBytes - encryptedRecords * UInt64(Self.encryptedRecordOverhead - 5)
    }

    /// Consumes the next bytes of the stream.
    ///
    /// - Parameter chunk: the bytes, in stream order, continuing the previous chunk.
    public mutating func scan<C: Collection<UInt8>>(_ chunk: C) {
        bytes += UInt64(chunk.count)
        var index = chunk.startIndex
        while index != chunk.endIndex {
            if remainingBody > 0 {
                let available = chunk.distance(from: index, to: chunk.endIndex)
                let taken = min(available, remainingBody)
                remainingBody -= taken
                index = chunk.index(index, offsetBy: taken)
                continue
            }
            header.append(chunk[index])
            index = chunk.index(after: index)
            if header.count == 5 {
                let length = Int(header[3]) << 8 | Int(header[4])
                records += 1
                if header[0] == Self.applicationData {
                    encryptedRecords += 1
                    encryptedBodyBytes += UInt64(length)
                }
                remainingBody = length
                header.removeAll(keepingCapacity: true)
            }
        }
    }
}
