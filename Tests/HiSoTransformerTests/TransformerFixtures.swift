import Foundation
import HiSoKernels
@testable import HiSoTransformer

/// Locations of the test fixtures, the real model and the SST-2 data.
enum TransformerFixtures {
    /// The copied `Fixtures` resource directory.
    static let directory: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// A fixture file.
    static func url(_ path: String) -> URL { directory.appendingPathComponent(path) }

    /// The package root, from this file's path (Tests/HiSoTransformerTests/...).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The real all-MiniLM-L6-v2 directory (`HISO_MINILM_DIR` or `.models/minilm`), if present.
    static let minilmDirectory: URL? = {
        let url = PretrainedBert.resolve(PretrainedBert.defaultDirectory(packageRoot: packageRoot))
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) ? url : nil
    }()

    /// Why the real-model tests are skipped.
    static let minilmMissing: Comment =
        "all-MiniLM-L6-v2 not found (set HISO_MINILM_DIR or run Utils/fetch-minilm, which unpacks into .models/minilm)"

    /// The real model loaded once, shared by the tests that need it: `nil` only when it is absent
    /// (those tests are disabled then); a model that is present but fails to load is the error,
    /// which fails every test that calls `get()` on it.
    static let minilm: Result<PretrainedBert, TransformerError>? = minilmDirectory.map { directory in
        Result { () throws(TransformerError) in try PretrainedBert(directory: directory) }
    }

    /// The committed GLUE SST-2 copy, `Data/sst2` in the package.
    static let sst2Directory: URL? = {
        let url = packageRoot.appendingPathComponent("Data/sst2")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("dev.tsv").path) ? url : nil
    }()

    /// Why the SST-2 tests are skipped.
    static let sst2Missing: Comment = "SST-2 not found at Data/sst2 in the package"

    /// The tokenizer on the committed copy of MiniLM's vocab.txt.
    static let tokenizer: WordPieceTokenizer = try! WordPieceTokenizer(vocabularyFile: url("vocab.txt"))

    /// Every backend compiled into this build, one thread each.
    static var backends: [any KernelBackend] {
        Kernels.compiledBackends.map { try! Kernels.backend($0, threads: 1) }
    }

    /// Reads a JSON fixture.
    static func json(_ path: String) -> [String: Any] {
        let data = try! Data(contentsOf: url(path))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}

import Testing
