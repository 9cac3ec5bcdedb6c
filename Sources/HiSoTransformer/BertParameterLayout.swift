/// Where each BERT tensor lives in the one flat float32 parameter vector.
///
/// Order (documented and fixed; trainable subsets are suffixes of it):
/// 1. embeddings: `word_embeddings` (V x h), `position_embeddings` (P x h),
///    `token_type_embeddings` (T x h), `LayerNorm.weight` (h), `LayerNorm.bias` (h);
/// 2. for each layer `l = 0 ..< L`: `query.weight`, `key.weight`, `value.weight` (each h x h, so
///    the three form one 3h x h matrix), `query.bias`, `key.bias`, `value.bias` (one 3h vector),
///    `attention.output.dense.weight` (h x h) and `.bias`, `attention.output.LayerNorm.weight`
///    and `.bias`, `intermediate.dense.weight` (I x h) and `.bias`, `output.dense.weight` (h x I)
///    and `.bias`, `output.LayerNorm.weight` and `.bias`.
///
/// Weights are stored as PyTorch stores them, `out x in` row-major, so `y = x W^T + b`.
/// The pooler is not part of the layout (mean pooling does not use it).
public struct BertParameterLayout: Sendable, Equatable {
    /// One tensor's place in the flat vector.
    public struct Tensor: Sendable, Equatable {
        /// The safetensors name (without any prefix).
        public let name: String
        /// The expected shape.
        public let shape: [Int]
        /// The first element in the flat vector.
        public let offset: Int
        /// The number of elements.
        public var count: Int { shape.reduce(1, *) }
    }

    /// Offsets of one encoder layer's tensors in the flat vector.
    public struct Layer: Sendable, Equatable {
        /// The first element of the layer (its fused Q/K/V weight).
        public let start: Int
        /// The fused Q/K/V weight (3h x h).
        public let qkvWeight: Int
        /// The fused Q/K/V bias (3h).
        public let qkvBias: Int
        /// The attention output projection (h x h) and its bias.
        public let attentionOutputWeight: Int, attentionOutputBias: Int
        /// The post-attention LayerNorm.
        public let attentionNormWeight: Int, attentionNormBias: Int
        /// The FFN input projection (I x h) and its bias.
        public let intermediateWeight: Int, intermediateBias: Int
        /// The FFN output projection (h x I) and its bias.
        public let outputWeight: Int, outputBias: Int
        /// The post-FFN LayerNorm.
        public let outputNormWeight: Int, outputNormBias: Int
        /// One past the layer's last element.
        public let end: Int
    }

    /// The configuration the layout was built for.
    public let configuration: BertConfiguration
    /// All tensors in flat order.
    public let tensors: [Tensor]
    /// Embedding offsets.
    public let wordEmbedding: Int, positionEmbedding: Int, tokenTypeEmbedding: Int
    /// Embedding LayerNorm offsets.
    public let embeddingNormWeight: Int, embeddingNormBias: Int
    /// The layers, in order.
    public let layers: [Layer]
    /// The total number of parameters (one past the last layer).
    public let count: Int

    /// Builds the layout of `configuration`.
    ///
    /// - Complexity: O(layers).
    public init(_ configuration: BertConfiguration) {
        self.configuration = configuration
        let h = configuration.hiddenSize
        let inner = configuration.intermediateSize
        var tensors: [Tensor] = []
        var cursor = 0
        func add(_ name: String, _ shape: [Int]) -> Int {
            let tensor = Tensor(name: name, shape: shape, offset: cursor)
            tensors.append(tensor)
            cursor += tensor.count
            return tensor.offset
        }
        wordEmbedding = add("embeddings.word_embeddings.weight", [configuration.vocabularySize, h])
        positionEmbedding = add("embeddings.position_embeddings.weight", [configuration.maxPositions, h])
        tokenTypeEmbedding = add("embeddings.token_type_embeddings.weight", [configuration.typeVocabularySize, h])
        embeddingNormWeight = add("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = add("embeddings.LayerNorm.bias", [h])
        var layers: [Layer] = []
        for l in 0..<configuration.layerCount {
            let p = "encoder.layer.\(l)."
            let start = cursor
            let qkvWeight = add(p + "attention.self.query.weight", [h, h])
            _ = add(p + "attention.self.key.weight", [h, h])
            _ = add(p + "attention.self.value.weight", [h, h])
            let qkvBias = add(p + "attention.self.query.bias", [h])
            _ = add(p + "attention.self.key.bias", [h])
            _ = add(p + "attention.self.value.bias", [h])
            let aow = add(p + "attention.output.dense.weight", [h, h])
            let aob = add(p + "attention.output.dense.bias", [h])
            let anw = add(p + "attention.output.LayerNorm.weight", [h])
            let anb = add(p + "attention.output.LayerNorm.bias", [h])
            let iw = add(p + "intermediate.dense.weight", [inner, h])
            let ib = add(p + "intermediate.dense.bias", [inner])
            let ow = add(p + "output.dense.weight", [h, inner])
            let ob = add(p + "output.dense.bias", [h])
            let onw = add(p + "output.LayerNorm.weight", [h])
            let onb = add(p + "output.LayerNorm.bias", [h])
            layers.append(Layer(
                start: start, qkvWeight: qkvWeight, qkvBias: qkvBias,
                attentionOutputWeight: aow, attentionOutputBias: aob, attentionNormWeight: anw, attentionNormBias: anb,
                intermediateWeight: iw, intermediateBias: ib, outputWeight: ow, outputBias: ob,
                outputNormWeight: onw, outputNormBias: onb, end: cursor))
        }
        self.layers = layers
        self.tensors = tensors
        count = cursor
    }

    /// The first element after the embeddings (the start of layer 0).
    public var embeddingsEnd: Int { layers.first?.start ?? count }
}
