/// A float32 vector that encodes bit-exactly as base64 of its little-endian bytes (for checkpoints).
///
/// Memory: the floats, plus `4/3` of their bytes while encoding.
public struct FloatVector: Codable, Sendable, Equatable {
    /// The values.
    public var values: [Float]

    /// Wraps `values`.
    public init(_ values: [Float]) { self.values = values }

    /// Decodes the base64 string.
    ///
    /// - Throws: `DecodingError.dataCorrupted` when the string is not base64 of a multiple of 4 bytes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let bytes = Base64.decode(text), bytes.count % 4 == 0 else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not base64 of float32 values")
        }
        values = stride(from: 0, to: bytes.count, by: 4).map { i in
            let bits = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            return Float(bitPattern: bits)
        }
    }

    /// Encodes as base64 of the little-endian float32 bytes.
    public func encode(to encoder: any Encoder) throws {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for value in values {
            let bits = value.bitPattern
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
        }
        var container = encoder.singleValueContainer()
        try container.encode(Base64.encode(bytes))
    }
}

/// Minimal RFC 4648 base64 (Foundation-free, so the library needs no Foundation for checkpoints).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var lookup = [Int](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { lookup[Int(c)] = i }
        let chars = Array(text.utf8)
        guard chars.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 4 * 3)
        var i = 0
        while i < chars.count {
            var n: UInt32 = 0
            var padding = 0
            for k in 0..<4 {
                let c = chars[i + k]
                if c == UInt8(ascii: "=") {
                    guard k >= 2 else { return nil }
                    padding += 1
                    n <<= 6
                } else {
                    guard padding == 0, lookup[Int(c)] >= 0 else { return nil }
                    n = n << 6 | UInt32(lookup[Int(c)])
                }
            }
            out.append(UInt8(n >> 16 & 255))
            if padding < 2 { out.append(UInt8(n >> 8 & 255)) }
            if padding < 1 { out.append(UInt8(n & 255)) }
            i += 4
        }
        return out
    }
}
