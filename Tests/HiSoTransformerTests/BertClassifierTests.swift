import Foundation
import HiSoTestSupport
import Testing
@testable import HiSoTransformer

@Suite("classifier and trainable subsets (tiny BERT)")
struct BertClassifierTests {
    static let model = try! PretrainedBert(directory: TransformerFixtures.url("tiny_bert"))
    static let texts = try! EncodedTexts(
        ["the movie is great !", "a very boring plot .", "i liked the actors", "not fun , too long"],
        tokenizer: model.tokenizer, maxLength: 16)
    static let labels: [Int32] = [1, 0, 1, 0]

    static func loss(_ classifier: BertClassifier, _ x: [Float]) throws -> Float {
        let workspace = BertWorkspace(
            configuration: model.encoder.configuration, maxBatch: 4, maxSequenceLength: 16, loraRank: classifier.loraRank)
        return try x.withUnsafeBufferPointer { p in
            try classifier.loss(
                trainable: p, texts: texts, indices: [0, 1, 2, 3], labels: labels, workspace: workspace,
                backend: TransformerFixtures.backends[0])
        }
    }

    static func initial(_ classifier: BertClassifier, seed: UInt64 = 7) -> [Float] {
        var x = [Float](repeating: .nan, count: classifier.trainableCount)
        x.withUnsafeMutableBufferPointer { classifier.initialTrainable(seed: seed, into: $0) }
        return x
    }

    @Test("trainable counts: head, last-k, non-embedding, all, LoRA")
    func counts() throws {
        let layout = Self.model.encoder.layout
        let head = 2 * (32 + 1)
        #expect(try BertClassifier(model: Self.model, subset: .head).trainableCount == head)
        #expect(try BertClassifier(model: Self.model, subset: .lastLayers(1)).trainableCount == layout.count - layout.layers[1].start + head)
        #expect(try BertClassifier(model: Self.model, subset: .nonEmbedding).trainableCount == layout.count - layout.embeddingsEnd + head)
        #expect(try BertClassifier(model: Self.model, subset: .all).trainableCount == layout.count + head)
        #expect(try BertClassifier(model: Self.model, subset: .lora(rank: 2, alpha: 4)).trainableCount == 2 * 4 * 2 * 32 + head)
        #expect(throws: TransformerError.invalidArgument(name: "trainable layers", value: "3", expected: "1...2")) {
            try BertClassifier(model: Self.model, subset: .lastLayers(3))
        }
    }

    @Test("every subset starts from the pretrained encoder: same initial loss, finite, near log 2")
    func initialLossAgrees() throws {
        let subsets: [TrainableSubset] = [.head, .lastLayers(1), .nonEmbedding, .all]
        let losses = try subsets.map { s in
            let c = try BertClassifier(model: Self.model, subset: s)
            return try Self.loss(c, Self.initial(c))
        }
        for l in losses { #expect(l == losses[0]) }
        #expect(losses[0].isFinite && abs(losses[0] - 0.693) < 0.5)
        let lora = try BertClassifier(model: Self.model, subset: .lora(rank: 2, alpha: 4))
        let x = Self.initial(lora)
        #expect(x[0] != 0 && x[2 * 32] == 0, "A random, B zero")
        #expect(try Self.loss(lora, x).isFinite)
    }

    @Test("the trainable tail and the LoRA adapters are what the forward pass reads")
    func trainableIsRead() throws {
        let last = try BertClassifier(model: Self.model, subset: .lastLayers(1))
        var x = Self.initial(last)
        let before = try Self.loss(last, x)
        x[0] += 0.5
        #expect(try Self.loss(last, x) != before)

        let lora = try BertClassifier(model: Self.model, subset: .lora(rank: 2, alpha: 4))
        var y = Self.initial(lora)
        let start = try Self.loss(lora, y)
        y[2 * 32] = 0.3
        #expect(try Self.loss(lora, y) != start, "a nonzero B_q changes the output")
        #expect(Self.model.parameters == (try PretrainedBert(directory: TransformerFixtures.url("tiny_bert"))).parameters)
    }

    @Test("initial parameters and losses are pure functions of the seed")
    func determinism() throws {
        let c = try BertClassifier(model: Self.model, subset: .lora(rank: 2, alpha: 4))
        #expect(Self.initial(c, seed: 3) == Self.initial(c, seed: 3))
        #expect(Self.initial(c, seed: 3) != Self.initial(c, seed: 4))
        let x = Self.initial(c)
        #expect(try Self.loss(c, x) == Self.loss(c, x))
    }

    @Test("subset names parse and print")
    func parsing() throws {
        #expect(try TrainableSubset(parsing: "head") == .head)
        #expect(try TrainableSubset(parsing: "last-2") == .lastLayers(2))
        #expect(try TrainableSubset(parsing: "non-embedding") == .nonEmbedding)
        #expect(try TrainableSubset(parsing: "all") == .all)
        #expect(try TrainableSubset(parsing: "lora-8") == .lora(rank: 8, alpha: 16))
        #expect(try TrainableSubset(parsing: "lora-4-8") == .lora(rank: 4, alpha: 8))
        #expect(TrainableSubset.lora(rank: 4, alpha: 8).description == "lora-4-8")
        #expect(throws: TransformerError.self) { try TrainableSubset(parsing: "last-x") }
    }

    @Test("LoRA equals merging scale * B A into the query and value weights")
    func loraMatchesMergedWeights() throws {
        let model = Self.model
        let h = model.encoder.configuration.hiddenSize
        let r = 2
        let classifier = try BertClassifier(model: model, subset: .lora(rank: r, alpha: 6))
        var x = Self.initial(classifier)
        for i in 0..<classifier.loraCount where (i / (r * h)) % 2 == 1 { x[i] = Float((i * 37) % 11 - 5) * 0.02 }
        var merged = model.parameters
        for (l, layer) in model.encoder.layout.layers.enumerated() {
            for projection in 0..<2 {
                let a = (l * 4 + 2 * projection) * r * h
                let b = a + r * h
                let weight = layer.qkvWeight + 2 * projection * h * h
                for o in 0..<h {
                    for i in 0..<h {
                        var sum: Float = 0
                        for k in 0..<r { sum += x[b + o * r + k] * x[a + k * h + i] }
                        merged[weight + o * h + i] += classifier.loraScale * sum
                    }
                }
            }
        }
        let backend = TransformerFixtures.backends[0]
        let one = BertWorkspace(configuration: model.encoder.configuration, maxBatch: 4, maxSequenceLength: 16, loraRank: r)
        let two = BertWorkspace(configuration: model.encoder.configuration, maxBatch: 4, maxSequenceLength: 16)
        try x.withUnsafeBufferPointer { p in
            try model.parameters.withUnsafeBufferPointer { base in
                try model.encoder.forward(
                    classifier.view(trainable: p.baseAddress!, base: base.baseAddress!), texts: Self.texts,
                    indices: [0, 1, 2, 3], workspace: one, backend: backend)
            }
        }
        try merged.withUnsafeBufferPointer { p in
            try model.encoder.forward(
                BertParameterView(base: p.baseAddress!), texts: Self.texts, indices: [0, 1, 2, 3], workspace: two, backend: backend)
        }
        for b in 0..<4 {
            #expect(maxRelativeDifference(one.pooledEmbedding(b), two.pooledEmbedding(b), floor: 1e-3) < 1e-4)
        }
        let plain = BertWorkspace(configuration: model.encoder.configuration, maxBatch: 4, maxSequenceLength: 16)
        try model.parameters.withUnsafeBufferPointer { p in
            try model.encoder.forward(
                BertParameterView(base: p.baseAddress!), texts: Self.texts, indices: [0, 1, 2, 3], workspace: plain, backend: backend)
        }
        #expect(maxRelativeDifference(one.pooledEmbedding(0), plain.pooledEmbedding(0), floor: 1e-3) > 1e-3, "the adapters matter")
    }

    @Test("the hidden-state cache of the frozen prefix gives the uncached embeddings, cold and warm")
    func hiddenStateCache() throws {
        let model = Self.model
        let classifier = try BertClassifier(model: model, subset: .lastLayers(1))
        #expect(classifier.frozenLayers == 1)
        var x = Self.initial(classifier)
        x[3] += 0.25
        let cache = HiddenStateCache(texts: Self.texts, layers: classifier.frozenLayers, width: 32)
        let backend = TransformerFixtures.backends[0]
        let plain = BertWorkspace(configuration: model.encoder.configuration, maxBatch: 4, maxSequenceLength: 16)
        let cached = BertWorkspace(configuration: model.encoder.configuration, maxBatch: 4, maxSequenceLength: 16)
        try x.withUnsafeBufferPointer { p in
            try classifier.encode(trainable: p, texts: Self.texts, indices: [2, 0, 3, 1], workspace: plain, backend: backend)
            try classifier.encode(trainable: p, texts: Self.texts, indices: [0, 1], workspace: cached, backend: backend, cache: cache)
            #expect(cache.has(0) && !cache.has(2))
            try classifier.encode(trainable: p, texts: Self.texts, indices: [2, 0, 3, 1], workspace: cached, backend: backend, cache: cache)
        }
        for b in 0..<4 {
            #expect(maxRelativeDifference(plain.pooledEmbedding(b), cached.pooledEmbedding(b), floor: 1e-3) < 1e-4)
        }
        let deep = HiddenStateCache(texts: Self.texts, layers: 2, width: 32)
        #expect(throws: TransformerError.invalidArgument(name: "cached layers", value: "2", expected: "at most 1 frozen layers")) {
            try x.withUnsafeBufferPointer { p in
                try classifier.encode(trainable: p, texts: Self.texts, indices: [0], workspace: cached, backend: backend, cache: deep)
            }
        }
    }
}
