import Foundation
import HiSoKernels

/// Sentence embeddings from a pretrained BERT: tokenize, encode, mean-pool, L2-normalise (as
/// sentence-transformers' all-MiniLM-L6-v2 does).
///
/// `cosineSimilarity(a, b) = <e(a), e(b)>` of the unit-norm mean-pooled embeddings; for
/// "A man is eating food." and "A man is eating a piece of bread." it is about 0.755.
/// Memory: the model (91 MB for MiniLM) plus a one-sequence workspace (under 1 MB at length 128).
public final class SentenceEmbedder {
    /// The model.
    public let model: PretrainedBert
    /// The kernels.
    public let backend: any KernelBackend
    /// The longest tokenized input; longer inputs are truncated.
    public let maxLength: Int
    private let workspace: BertWorkspace

    /// Loads the model in `modelDirectory` (see ``PretrainedBert/init(directory:)``).
    ///
    /// - Parameters:
    ///   - modelDirectory: the model directory.
    ///   - backend: the kernels (default: the fastest compiled backend, one thread).
    ///   - maxLength: the truncation length, `2 ... max positions` (default 256, as sentence-transformers).
    /// - Throws: the model's loading errors; ``TransformerError/invalidArgument(name:value:expected:)`` for a bad `maxLength`.
    public init(modelDirectory: URL, backend: (any KernelBackend)? = nil, maxLength: Int = 256) throws {
        let model = try PretrainedBert(directory: modelDirectory)
        let positions = model.encoder.configuration.maxPositions
        guard maxLength >= 2, maxLength <= positions else {
            throw TransformerError.invalidArgument(name: "maxLength", value: "\(maxLength)", expected: "2...\(positions)")
        }
        self.model = model
        self.backend = try backend ?? Kernels.backend(nil, threads: 1)
        self.maxLength = maxLength
        workspace = BertWorkspace(configuration: model.encoder.configuration, maxBatch: 1, maxSequenceLength: maxLength)
    }

    /// Convenience: loads the model in the directory at `modelDirectory` (a path).
    public convenience init(modelDirectory: String) throws {
        try self.init(modelDirectory: URL(fileURLWithPath: modelDirectory))
    }

    /// The mean-pooled embedding of `text`, L2-normalised when `normalized` (the default).
    ///
    /// - Complexity: one encoder forward pass over the text's tokens.
    public func embedding(_ text: String, normalized: Bool = true) throws -> [Float] {
        let texts = try EncodedTexts([text], tokenizer: model.tokenizer, maxLength: maxLength)
        try model.parameters.withUnsafeBufferPointer { p in
            try model.encoder.forward(
                BertParameterView(base: p.baseAddress!), texts: texts, indices: [0], workspace: workspace, backend: backend)
        }
        var e = workspace.pooledEmbedding(0)
        if normalized {
            let norm = e.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { e = e.map { $0 / norm } }
        }
        return e
    }

    /// The cosine similarity of the two texts' mean-pooled embeddings, in `[-1, 1]`.
    public func cosineSimilarity(_ a: String, _ b: String) throws -> Float {
        let x = try embedding(a)
        let y = try embedding(b)
        return zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
    }
}
