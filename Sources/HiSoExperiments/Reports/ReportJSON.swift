import Foundation
import HiSoFederation

/// JSON output of the report layer: pretty-printed, sorted keys, snake_case keys, atomic files.
public enum ReportJSON {
    /// The encoder every report uses: sorted keys (stable diffs), snake_case keys, no escaped
    /// slashes, and non-finite numbers as the strings `"nan"`, `"inf"`, `"-inf"`.
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    /// The JSON bytes of `value`, followed by a newline.
    ///
    /// - Throws: `ReportError.invalidInput(what:reason:)` when the value cannot be encoded.
    public static func data<T: Encodable>(_ value: T, pretty: Bool = true) throws(ReportError) -> Data {
        do {
            var data = try encoder(pretty: pretty).encode(value)
            data.append(UInt8(ascii: "\n"))
            return data
        } catch {
            throw .invalidInput(what: "JSON encoding of \(T.self)", reason: "\(error)")
        }
    }

    /// Writes `value` as pretty JSON to `url` atomically.
    public static func write<T: Encodable>(_ value: T, to url: URL) throws(ReportError) {
        try AtomicFile.write(data(value), to: url)
    }

    /// The decoder matching ``encoder(pretty:)``: snake_case keys, `"nan"`, `"inf"` and `"-inf"`
    /// as non-finite numbers.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Reads a `T` written by ``write(_:to:)``.
    ///
    /// - Throws: `ReportError.cannotRead(path:reason:)` when the file cannot be read,
    ///   `ReportError.malformed(path:location:expected:found:)` when it is not such a JSON document.
    public static func read<T: Decodable>(_ type: T.Type, from url: URL) throws(ReportError) -> T {
        let data = try AtomicFile.read(url)
        do {
            return try decoder().decode(T.self, from: data)
        } catch {
            throw .malformed(path: url.path, location: "JSON", expected: "a \(T.self) document", found: "\(error)")
        }
    }
}
