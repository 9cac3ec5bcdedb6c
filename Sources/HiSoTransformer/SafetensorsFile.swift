import Foundation

/// A validated, memory-mapped safetensors file.
///
/// Layout: a little-endian u64 header length `n` at byte 0, an `n`-byte UTF-8 JSON header
/// (`{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"key": "value"}}`), then the data section; offsets are relative to byte `8 + n`.
///
/// Validation at open: the header length lies in `2 ... min(100 MB, size - 8)`; the header is a
/// JSON object; every entry has a known dtype, a non-negative integer shape and two offsets;
/// `end - begin == product(shape) * dtype.size`; every range lies inside the data section; no two
/// ranges overlap.
///
/// Memory: the file is mapped (`Data(contentsOf:options: .alwaysMapped)`), not read; only the
/// header is parsed into memory. Loading a tensor copies it once into a caller-owned buffer
/// (see ``copyFloat32(_:into:)``).
public struct SafetensorsFile: Sendable {
    /// The largest header this reader accepts (100 MB, the format's own limit).
    public static let maxHeaderLength = 100_000_000

    /// The file's path, for error messages.
    public let path: String
    /// The tensors by name.
    public let tensors: [String: SafetensorsTensor]
    /// The `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    /// The byte offset of the data section in the file (`8 + header length`).
    public let dataStart: Int
    /// The mapped file contents.
    let bytes: Data

    /// Opens, maps and validates a safetensors file.
    ///
    /// - Throws: ``TransformerError/missingFile(file:hint:)`` (with the fetch hint),
    ///   ``TransformerError/fileTooShort(file:size:)``, ``TransformerError/badHeaderLength(file:declared:fileSize:limit:)``,
    ///   ``TransformerError/badHeader(file:offset:reason:)``, ``TransformerError/badTensorEntry(file:tensor:reason:)``,
    ///   ``TransformerError/unsupportedDType(file:tensor:dtype:)`` for an unknown dtype,
    ///   ``TransformerError/shapeMismatch(file:tensor:shape:dtype:expectedBytes:foundBytes:)``,
    ///   ``TransformerError/offsetsOutOfRange(file:tensor:begin:end:dataStart:dataLength:)`` and
    ///   ``TransformerError/overlappingTensors(file:first:second:offset:)``.
    /// - Complexity: O(header size + t log t) for `t` tensors.
    public init(contentsOf url: URL) throws(TransformerError) {
        let path = url.path
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw .missingFile(file: path, hint: TransformerError.fetchHint)
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw .unreadable(file: path, reason: "\(error)")
        }
        self.bytes = bytes
        guard bytes.count >= 8 else { throw .fileTooShort(file: path, size: bytes.count) }
        let declared = bytes.withUnsafeBytes { raw in
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        }
        let limit = Self.maxHeaderLength
        guard declared >= 2, declared <= UInt64(min(limit, bytes.count - 8)) else {
            throw .badHeaderLength(file: path, declared: declared, fileSize: bytes.count, limit: limit)
        }
        let headerLength = Int(declared)
        dataStart = 8 + headerLength
        let parsed = try Self.parseHeader(bytes.subdata(in: 8..<dataStart), file: path)
        metadata = parsed.metadata
        var tensors: [String: SafetensorsTensor] = [:]
        for tensor in parsed.tensors { tensors[tensor.name] = tensor }
        self.tensors = tensors
        try Self.validate(parsed.tensors, file: path, dataStart: dataStart, dataLength: bytes.count - dataStart)
    }

    /// The tensor entry named `name`.
    ///
    /// - Throws: ``TransformerError/missingTensor(file:tensor:)``.
    public func tensor(_ name: String) throws(TransformerError) -> SafetensorsTensor {
        guard let tensor = tensors[name] else { throw .missingTensor(file: path, tensor: name) }
        return tensor
    }

    /// Checks byte lengths against shapes, ranges against the data section, and overlaps.
    private static func validate(
        _ tensors: [SafetensorsTensor], file: String, dataStart: Int, dataLength: Int
    ) throws(TransformerError) {
        for t in tensors {
            var expected = t.dtype.size
            for dim in t.shape {
                let (product, overflow) = expected.multipliedReportingOverflow(by: dim)
                guard !overflow else {
                    throw .badTensorEntry(file: file, tensor: t.name, reason: "shape \(t.shape) overflows")
                }
                expected = product
            }
            guard expected == t.dataOffsets.count else {
                throw .shapeMismatch(
                    file: file, tensor: t.name, shape: t.shape, dtype: t.dtype.rawValue,
                    expectedBytes: expected, foundBytes: t.dataOffsets.count)
            }
            guard t.dataOffsets.upperBound <= dataLength else {
                throw .offsetsOutOfRange(
                    file: file, tensor: t.name, begin: t.dataOffsets.lowerBound, end: t.dataOffsets.upperBound,
                    dataStart: dataStart, dataLength: dataLength)
            }
        }
        let ordered = tensors.filter { !$0.dataOffsets.isEmpty }.sorted {
            ($0.dataOffsets.lowerBound, $0.name) < ($1.dataOffsets.lowerBound, $1.name)
        }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.dataOffsets.lowerBound < previous.dataOffsets.upperBound {
            throw .overlappingTensors(file: file, first: previous.name, second: next.name, offset: next.dataOffsets.lowerBound)
        }
    }
}
