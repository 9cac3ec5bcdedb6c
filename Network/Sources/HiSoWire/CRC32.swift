/// CRC-32 (IEEE 802.3, the polynomial of zlib, PNG and gzip), for the frames of the round log.
///
/// `crc = ~fold(~0, bytes)` with `fold(c, b) = table[(c ^ b) & 0xFF] ^ (c >> 8)` over the
/// reflected polynomial `0xEDB88320`; `CRC32.checksum("123456789") == 0xCBF43926`.
///
/// Complexity: O(n) with a 256-entry table; memory: 1 KiB of table, built once.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The checksum of `bytes`.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }
}
