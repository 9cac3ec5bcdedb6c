/// A typed error for every way user-supplied data can be wrong.
///
/// Each case carries what was expected, what was found and where (file path, byte offset or
/// line and column), and ``description`` renders it as one sentence. Loaders in this module throw
/// only `DataError`; they never trap on user input.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read (missing, permissions, a directory, ...).
    case unreadable(file: String, reason: String)
    /// zlib reported an error while decompressing a `.gz` file (corrupt or truncated stream).
    case decompression(file: String, reason: String)
    /// The file ended early: `needed` bytes were required at byte `offset`, only `available` remain.
    /// Offsets are in the decompressed stream for `.gz` files.
    case truncated(file: String, offset: Int, needed: Int, available: Int)
    /// The IDX magic number at byte 0 is not the one for the expected kind of file.
    case badMagic(file: String, expected: UInt32, found: UInt32)
    /// A header dimension is invalid (zero, or not the expected value).
    case badDimension(file: String, offset: Int, name: String, expected: String, found: Int)
    /// The file holds more bytes than its header declares.
    case trailingBytes(file: String, offset: Int, extra: Int)
    /// The image and label files disagree on the number of samples.
    case countMismatch(imagesFile: String, images: Int, labelsFile: String, labels: Int)
    /// A label is outside `0..<classCount`; `location` is a byte offset or `line N`.
    case labelOutOfRange(file: String, location: String, label: Int, classCount: Int)
    /// A CSV cell or line is malformed (1-based line and column).
    case malformedCSV(file: String, line: Int, column: Int, reason: String)
    /// Two shapes or sizes that must agree do not (`what` names the quantity).
    case dimensionMismatch(what: String, expected: Int, found: Int)
    /// A partition gives a client no samples.
    case emptyClient(client: Int, clientCount: Int, partition: String)
    /// A partition names a sample index outside `0..<sampleCount`, or one twice.
    case invalidAssignment(partition: String, location: String, index: Int, sampleCount: Int, reason: String)
    /// A parameter (count, fraction, alpha, batch size, ...) is out of its valid range.
    case invalidArgument(name: String, value: String, expected: String)

    /// A one-sentence description naming the file and the offset, line or expected/found values.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read file: \(reason)"
        case .decompression(let file, let reason):
            return "\(file): gzip decompression failed: \(reason)"
        case .truncated(let file, let offset, let needed, let available):
            return "\(file): truncated at byte offset \(offset): needed \(needed) bytes, found \(available)"
        case .badMagic(let file, let expected, let found):
            return "\(file): bad IDX magic number at byte offset 0: expected \(hex(expected)), found \(hex(found))"
        case .badDimension(let file, let offset, let name, let expected, let found):
            return "\(file): bad dimension '\(name)' at byte offset \(offset): expected \(expected), found \(found)"
        case .trailingBytes(let file, let offset, let extra):
            return "\(file): \(extra) unexpected trailing bytes after the declared data, starting at byte offset \(offset)"
        case .countMismatch(let imagesFile, let images, let labelsFile, let labels):
            return "sample count mismatch: \(imagesFile) holds \(images) images but \(labelsFile) holds \(labels) labels"
        case .labelOutOfRange(let file, let location, let label, let classCount):
            return "\(file): label \(label) at \(location) is out of range: expected 0..<\(classCount)"
        case .malformedCSV(let file, let line, let column, let reason):
            return "\(file): line \(line), column \(column): \(reason)"
        case .dimensionMismatch(let what, let expected, let found):
            return "dimension mismatch in \(what): expected \(expected), found \(found)"
        case .emptyClient(let client, let clientCount, let partition):
            return "\(partition): client \(client) of \(clientCount) has no samples"
        case .invalidAssignment(let partition, let location, let index, let sampleCount, let reason):
            return "\(partition): sample index \(index) at \(location) is invalid (\(reason)); expected 0..<\(sampleCount), each at most once"
        case .invalidArgument(let name, let value, let expected):
            return "invalid \(name) \(value): expected \(expected)"
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
