import Foundation

/// The shape of a BERT encoder, as in a Hugging Face `config.json`.
///
/// all-MiniLM-L6-v2: hidden 384, 12 heads, 6 layers, FFN 1536, vocabulary 30,522, 512 positions,
/// 2 token types, LayerNorm epsilon 1e-12, GELU (erf form).
public struct BertConfiguration: Sendable, Equatable {
    /// Hidden size `h`.
    public var hiddenSize: Int
    /// Attention heads; `h` must be a multiple of it.
    public var headCount: Int
    /// Encoder layers.
    public var layerCount: Int
    /// Feed-forward inner size.
    public var intermediateSize: Int
    /// Vocabulary size (rows of the word embedding).
    public var vocabularySize: Int
    /// Maximum sequence length (rows of the position embedding).
    public var maxPositions: Int
    /// Token-type vocabulary size (rows of the token-type embedding).
    public var typeVocabularySize: Int
    /// LayerNorm epsilon.
    public var layerNormEpsilon: Float

    /// The per-head size `h / heads`.
    public var headSize: Int { hiddenSize / headCount }

    /// The most encoder layers a configuration may have (the parameter layout holds one entry per layer).
    public static let maxLayerCount = 1024
    /// The most parameters a configuration may describe (2^32 floats, 16 GiB).
    public static let maxParameterCount = 1 << 32

    /// The number of parameters: `(V + P + T) h + 2h` for the embeddings plus, per layer,
    /// `4h^2 + 2hI + 9h + I` (query/key/value/output, the feed-forward pair, their biases and
    /// two LayerNorms), for hidden size `h`, vocabulary `V`, positions `P`, token types `T` and
    /// inner size `I`; computed in `Double` so huge sizes cannot overflow.
    public var parameterCount: Double {
        let h = Double(hiddenSize), inner = Double(intermediateSize)
        let embeddings = (Double(vocabularySize) + Double(maxPositions) + Double(typeVocabularySize)) * h + 2 * h
        return embeddings + Double(layerCount) * (4 * h * h + 2 * h * inner + 9 * h + inner)
    }

    /// Creates a configuration.
    ///
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` when a size is not
    ///   positive, `hiddenSize` is not a multiple of `headCount`, there are more than
    ///   ``maxLayerCount`` layers or more than ``maxParameterCount`` parameters.
    public init(
        hiddenSize: Int, headCount: Int, layerCount: Int, intermediateSize: Int, vocabularySize: Int,
        maxPositions: Int, typeVocabularySize: Int, layerNormEpsilon: Float
    ) throws(TransformerError) {
        for (name, value) in [
            ("hidden_size", hiddenSize), ("num_attention_heads", headCount), ("num_hidden_layers", layerCount),
            ("intermediate_size", intermediateSize), ("vocab_size", vocabularySize),
            ("max_position_embeddings", maxPositions), ("type_vocab_size", typeVocabularySize),
        ] where value < 1 {
            throw .invalidArgument(name: name, value: "\(value)", expected: "at least 1")
        }
        guard hiddenSize % headCount == 0 else {
            throw .invalidArgument(
                name: "hidden_size", value: "\(hiddenSize)", expected: "a multiple of num_attention_heads \(headCount)")
        }
        guard layerNormEpsilon > 0, layerNormEpsilon.isFinite else {
            throw .invalidArgument(name: "layer_norm_eps", value: "\(layerNormEpsilon)", expected: "a positive number")
        }
        guard layerCount <= Self.maxLayerCount else {
            throw .invalidArgument(name: "num_hidden_layers", value: "\(layerCount)", expected: "at most \(Self.maxLayerCount)")
        }
        self.hiddenSize = hiddenSize
        self.headCount = headCount
        self.layerCount = layerCount
        self.intermediateSize = intermediateSize
        self.vocabularySize = vocabularySize
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEpsilon = layerNormEpsilon
        guard parameterCount <= Double(Self.maxParameterCount) else {
            throw .invalidArgument(
                name: "configuration", value: "\(parameterCount) parameters", expected: "at most \(Self.maxParameterCount)")
        }
    }

    /// Reads a Hugging Face `config.json` (`model_type` bert, `hidden_act` gelu).
    ///
    /// - Throws: ``TransformerError/missingFile(file:hint:)``, ``TransformerError/badConfig(file:key:reason:)``
    ///   for invalid JSON, a missing or ill-typed key, or an unsupported activation.
    public init(contentsOf url: URL) throws(TransformerError) {
        let file = url.path
        guard FileManager.default.fileExists(atPath: file) else {
            throw .missingFile(file: file, hint: TransformerError.fetchHint)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
        } catch {
            throw .badConfig(file: file, key: "(file)", reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard let json = object as? [String: Any] else {
            throw .badConfig(file: file, key: "(file)", reason: "expected a JSON object")
        }
        func integer(_ key: String) throws(TransformerError) -> Int {
            guard let number = json[key] as? NSNumber, number.doubleValue == number.doubleValue.rounded(),
                  number.doubleValue.magnitude < 9.0e15
            else {
                throw .badConfig(file: file, key: key, reason: "missing, not an integer, or beyond 9e15")
            }
            return Int(number.doubleValue)
        }
        if let activation = json["hidden_act"] as? String, activation != "gelu" {
            throw .badConfig(file: file, key: "hidden_act", reason: "'\(activation)' is not supported (expected gelu)")
        }
        let epsilon = (json["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12
        do {
            try self.init(
                hiddenSize: integer("hidden_size"), headCount: integer("num_attention_heads"),
                layerCount: integer("num_hidden_layers"), intermediateSize: integer("intermediate_size"),
                vocabularySize: integer("vocab_size"), maxPositions: integer("max_position_embeddings"),
                typeVocabularySize: integer("type_vocab_size"), layerNormEpsilon: epsilon)
        } catch {
            if case .invalidArgument(let name, let value, let expected) = error {
                throw .badConfig(file: file, key: name, reason: "\(value): expected \(expected)")
            }
            throw error
        }
    }
}
