import HiSoNetwork
import Testing

/// The TLS record scanner that splits the socket bytes into TLS and the plaintext it carries.
@Suite("TLS record scanner")
struct TLSRecordScannerTests {
    /// A record of `type` with a body of `length` bytes (filled with `type`).
    static func record(type: UInt8, length: Int) -> [UInt8] {
        [type, 3, 3, UInt8(length >> 8), UInt8(length & 0xff)] + [UInt8](repeating: type, count: length)
    }

    /// A handshake record, then encrypted records of 17 (empty plaintext), 100 and 300 bytes,
    /// one of them starting with a body byte that looks like a header.
    static let stream = record(type: 22, length: 40) + record(type: 23, length: 17) + record(type: 23, length: 100)
        + record(type: 21, length: 2) + record(type: 23, length: 300)

    @Test("counts records and plaintext whatever the chunking", arguments: [1, 2, 3, 4, 5, 6, 7, 64, 1_000])
    func chunked(size: Int) {
        var scanner = TLSRecordScanner()
        var start = 0
        while start < Self.stream.count {
            let end = min(start + size, Self.stream.count)
            scanner.scan(Self.stream[start..<end])
            start = end
        }
        #expect(scanner.bytes == UInt64(Self.stream.count))
        #expect(scanner.records == 5)
        #expect(scanner.encryptedRecords == 3)
        #expect(scanner.encryptedBodyBytes == 417)
        #expect(scanner.encryptedPlaintextBytes == 417 - 3 * 17)
    }

    @Test("a header split across reads is not counted until complete")
    func partialHeader() {
        var scanner = TLSRecordScanner()
        scanner.scan([23, 3, 3])
        #expect(scanner.records == 0)
        scanner.scan([0, 20])
        #expect(scanner.records == 1 && scanner.encryptedBodyBytes == 20)
        scanner.scan([UInt8](repeating: 0, count: 19))
        scanner.scan([0, 22])
        #expect(scanner.records == 1, "the body's last byte, then the next header's first byte")
    }
}
