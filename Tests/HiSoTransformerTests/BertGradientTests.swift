import Foundation
import HiSoKernels
import HiSoTestSupport
import Testing
@testable import HiSoTransformer

/// Backpropagation through the trainable subset against float64 central differences of
/// ``BertReference``, on every compiled backend.
@Suite("BERT backward")
struct BertGradientTests {
    /// One gradient check: a classifier, its trainable vector and a labelled batch.
    struct Case {
        let classifier: BertClassifier
        let trainable: [Float]
        let sequences: [[Int32]]
        let labels: [Int32]
    }

    /// A coordinate checked by central differences.
    enum Coordinate {
        case encoder(Int), lora(Int), head(Int), input(Int)
    }

    /// The tiny random BERT fixture (h 32, 4 heads, I 64, 2 layers).
    static let tiny = try! PretrainedBert(directory: TransformerFixtures.url("tiny_bert"))

    /// Three sequences of lengths 5, 3 and 7 in the tiny vocabulary, labels 0, 1, 1.
    static let tinyBatch: ([[Int32]], [Int32]) = ([[2, 17, 33, 8, 3], [2, 41, 3], [2, 5, 29, 12, 47, 21, 3]], [0, 1, 1])

    /// The classifier of `subset` at its initial vector, with LoRA `B` made non-zero (so that
    /// `A` has a gradient) by `±0.2` uniforms.
    static func makeCase(model: PretrainedBert, subset: TrainableSubset, sequences: [[Int32]], labels: [Int32]) throws -> Case {
        let classifier = try BertClassifier(model: model, subset: subset)
        var x = [Float](repeating: 0, count: classifier.trainableCount)
        x.withUnsafeMutableBufferPointer { classifier.initialTrainable(seed: 7, into: $0) }
        var values = TestValues(seed: 11)
        let bump = values.uniform(classifier.loraCount, in: -0.2, 0.2)
        for i in 0..<classifier.loraCount where x[i] == 0 { x[i] = bump[i] }
        return Case(classifier: classifier, trainable: x, sequences: sequences, labels: labels)
    }

    /// The checked coordinates: `perTensor` random ones of every trainable tensor (the used rows of
    /// the embedding tables), of every LoRA adapter, of the head's `W` and `b`, and of the first
    /// trainable layer's input, each named by its kind.
    static func coordinates(_ c: Case, perTensor: Int) -> [(kind: String, coordinate: Coordinate)] {
        let classifier = c.classifier
        let layout = classifier.model.encoder.layout
        let h = layout.configuration.hiddenSize
        var values = TestValues(seed: 5)
        func pick(_ count: Int) -> [Int] { (0..<perTensor).map { _ in Int(values.next() % UInt64(count)) } }
        var result: [(String, Coordinate)] = []
        let ids = c.sequences.flatMap { $0 }
        let longest = c.sequences.map(\.count).max()!
        for tensor in layout.tensors where tensor.offset >= classifier.split {
            let kind = tensor.name.split(separator: ".").drop { $0 == "encoder" || $0 == "layer" || Int($0) != nil }
                .joined(separator: ".")
            let rows: [Int]
            switch tensor.offset {
            case layout.wordEmbedding: rows = pick(ids.count).map { Int(ids[$0]) }
            case layout.positionEmbedding: rows = pick(longest)
            case layout.tokenTypeEmbedding: rows = pick(1)
            default: rows = pick(tensor.count)
            }
            let columns = pick(h)
            for (row, column) in zip(rows, columns) {
                let element = tensor.offset < layout.embeddingNormWeight ? row * h + column : row
                result.append((kind, .encoder(tensor.offset + element)))
            }
        }
        let adapter = classifier.loraRank * h
        if adapter > 0 {
            for block in 0..<(classifier.loraCount / adapter) {
                let name = ["lora.A_q", "lora.B_q", "lora.A_v", "lora.B_v"][block % 4]
                for i in pick(adapter) { result.append((name, .lora(block * adapter + i))) }
            }
        }
        for i in pick(classifier.classes * h) { result.append(("head.weight", .head(i))) }
        for i in pick(classifier.classes) { result.append(("head.bias", .head(classifier.classes * h + i))) }
        if classifier.split > 0, classifier.frozenLayers < layout.configuration.layerCount {
            for i in pick(c.sequences.map(\.count).reduce(0, +) * h) { result.append(("input", .input(i))) }
        }
        return result
    }

    /// The largest relative error per tensor kind, over `coordinates`, of every backend's gradient
    /// against central differences (step `1e-4` in float64) of the reference.
    ///
    /// Error: `|g - n| / max(|n|, 1e-3 max_kind |n|, 1e-5 max_all |n|)` for analytic `g` and numeric
    /// `n` (the last term for the key bias, whose exact gradient is 0: softmax ignores a constant
    /// added to a row of scores, and `q . b_k` is one). Also
    /// checks that the recording forward pass gives the plain forward's loss (relative 1e-5) and
    /// the reference's (relative 1e-4).
    static func maxErrors(_ c: Case, perTensor: Int) throws -> [String: Double] {
        let classifier = c.classifier
        let configuration = classifier.model.encoder.configuration
        let h = configuration.hiddenSize
        let longest = c.sequences.map(\.count).max()!
        let texts = try EncodedTexts(sequences: c.sequences, maxLength: longest)
        let indices = Array(0..<c.sequences.count)
        let lengths = c.sequences.map(\.count)
        let tokens = lengths.reduce(0, +)
        let first = classifier.frozenLayers
        var analytic: [(gradient: [Float], input: [Float], backend: String)] = []
        var input: [Double] = []
        var losses: [(Float, String)] = []
        for backend in TransformerFixtures.backends {
            let workspace = BertGradientWorkspace(classifier: classifier, maxBatch: indices.count, maxSequenceLength: longest)
            var gradient = [Float](repeating: .nan, count: classifier.trainableCount)
            let loss = try c.trainable.withUnsafeBufferPointer { x in
                try gradient.withUnsafeMutableBufferPointer { g in
                    try classifier.lossAndGradient(
                        trainable: x, texts: texts, indices: indices, labels: c.labels, gradient: g, workspace: workspace,
                        backend: backend, inputGradient: true)
                }
            }
            let plain = try c.trainable.withUnsafeBufferPointer { x in
                try classifier.loss(
                    trainable: x, texts: texts, indices: indices, labels: c.labels, workspace: workspace.forward, backend: backend)
            }
            losses.append((loss, "\(backend.kind)"))
            #expect(relativeDifference(loss, plain) < 1e-5, "\(backend.kind) \(classifier.subset): recording \(loss) vs plain \(plain)")
            let start = first < configuration.layerCount ? workspace.record(first).input : workspace.forward.hidden
            input = (0..<(tokens * h)).map { Double(start[$0]) }
            analytic.append((gradient, (0..<tokens).flatMap { workspace.inputGradient(row: $0) }, "\(backend.kind)"))
            #expect(gradient.allSatisfy { $0.isFinite }, "\(backend.kind) \(classifier.subset): every gradient entry is written")
        }
        var reference = BertReference(classifier: classifier, trainable: c.trainable)
        let labels = c.labels.map(Int.init)
        let embedded = classifier.split == 0
        func f(_ r: BertReference, _ x: [Double]) -> Double {
            r.loss(hidden: embedded ? r.embed(c.sequences) : x, first: first, lengths: lengths, labels: labels)
        }
        let center = f(reference, input)
        for (loss, backend) in losses {
            #expect(abs(center - Double(loss)) / abs(center) < 1e-4, "\(backend) \(classifier.subset): float64 \(center) vs \(loss)")
        }
        let step = 1e-4
        var numeric: [(kind: String, coordinate: Coordinate, value: Double)] = []
        for (kind, coordinate) in coordinates(c, perTensor: perTensor) {
            var x = input
            func evaluate(_ delta: Double) -> Double {
                switch coordinate {
                case .encoder(let i): reference.encoder[i] += delta
                case .lora(let i): reference.lora[i] += delta
                case .head(let i): reference.head[i] += delta
                case .input(let i): x[i] += delta
                }
                return f(reference, x)
            }
            let plus = evaluate(step)
            let minus = evaluate(-2 * step)
            _ = evaluate(step)
            numeric.append((kind, coordinate, (plus - minus) / (2 * step)))
        }
        var scale: [String: Double] = [:]
        for n in numeric { scale[n.kind] = max(scale[n.kind] ?? 0, abs(n.value)) }
        let largest = scale.values.max() ?? 0
        var worst: [String: Double] = [:]
        for (gradient, inputGradient, backend) in analytic {
            for n in numeric {
                let g: Float
                switch n.coordinate {
                case .encoder(let i): g = gradient[classifier.loraCount + i - classifier.split]
                case .lora(let i): g = gradient[i]
                case .head(let i): g = gradient[classifier.headOffset + i]
                case .input(let i): g = inputGradient[i]
                }
                let error = abs(Double(g) - n.value) / max(abs(n.value), 1e-3 * scale[n.kind]!, 1e-5 * largest)
                worst[n.kind] = max(worst[n.kind] ?? 0, error)
                if error > 1e-2 { Issue.record("\(backend) \(classifier.subset) \(n.kind) \(n.coordinate): \(g) vs \(n.value)") }
            }
        }
        return worst
    }

    /// Prints the worst errors of a check in one line (for the record) and returns their maximum.
    static func summarize(_ label: String, _ worst: [String: Double]) -> Double {
        let line = worst.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.1e", $0.value))" }
        print("gradient check \(label): " + line.joined(separator: " "))
        return worst.values.max() ?? .infinity
    }

    @Test(
        "tiny BERT: every subset's gradient matches float64 central differences on every backend",
        arguments: ["head", "last-1", "last-2", "non-embedding", "all", "lora-2"])
    func tinySubsets(subset: String) throws {
        let c = try Self.makeCase(
            model: Self.tiny, subset: try TrainableSubset(parsing: subset), sequences: Self.tinyBatch.0, labels: Self.tinyBatch.1)
        let worst = try Self.maxErrors(c, perTensor: 4)
        #expect(Self.summarize("tiny \(subset)", worst) < 1e-2)
    }

    /// all-MiniLM-L6-v2 when present, otherwise its shapes with random weights (uniform in
    /// `±0.05`, LayerNorm scales 1) and the committed vocabulary.
    static func minilmOrRandom() throws -> PretrainedBert {
        if let model = TransformerFixtures.minilm { return try model.get() }
        let configuration = try BertConfiguration(
            hiddenSize: 384, headCount: 12, layerCount: 6, intermediateSize: 1536, vocabularySize: 30522,
            maxPositions: 512, typeVocabularySize: 2, layerNormEpsilon: 1e-12)
        let layout = BertParameterLayout(configuration)
        var values = TestValues(seed: 3)
        var parameters = values.uniform(layout.count, in: -0.05, 0.05)
        for tensor in layout.tensors where tensor.name.hasSuffix("LayerNorm.weight") {
            for i in tensor.offset..<(tensor.offset + tensor.count) { parameters[i] = 1 }
        }
        return try PretrainedBert(configuration: configuration, parameters: parameters, tokenizer: TransformerFixtures.tokenizer)
    }

    @Test("MiniLM shapes, last-1 (h 384, 12 heads, FFN 1536; the real weights when present): gradients match float64 central differences on every backend")
    func minilmLastLayer() throws {
        let model = try Self.minilmOrRandom()
        let sequences = ["a gripping , funny film .", "dull and slow"].map { model.tokenizer.encode($0, maxLength: 16) }
        let c = try Self.makeCase(model: model, subset: .lastLayers(1), sequences: sequences, labels: [1, 0])
        let worst = try Self.maxErrors(c, perTensor: 3)
        #expect(worst.count == 16 + 2 + 1)
        let weights = TransformerFixtures.minilm == nil ? "random weights" : "real weights"
        #expect(Self.summarize("minilm last-1 (\(weights))", worst) < 1e-2)
    }

    @Test("a workspace made for another subset, a wrong label or a wrong gradient length is a typed error")
    func badArguments() throws {
        let c = try Self.makeCase(model: Self.tiny, subset: .lastLayers(1), sequences: Self.tinyBatch.0, labels: Self.tinyBatch.1)
        let other = try BertClassifier(model: Self.tiny, subset: .lastLayers(2))
        let texts = try EncodedTexts(sequences: c.sequences, maxLength: 8)
        let backend = TransformerFixtures.backends[0]
        let wrong = BertGradientWorkspace(classifier: other, maxBatch: 3, maxSequenceLength: 8)
        let right = BertGradientWorkspace(classifier: c.classifier, maxBatch: 3, maxSequenceLength: 8)
        var gradient = [Float](repeating: 0, count: c.classifier.trainableCount)
        c.trainable.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in
                #expect(throws: TransformerError.self) {
                    try c.classifier.lossAndGradient(
                        trainable: x, texts: texts, indices: [0, 1, 2], labels: c.labels, gradient: g, workspace: wrong,
                        backend: backend)
                }
                #expect(throws: TransformerError.invalidArgument(name: "label", value: "2", expected: "0..<2")) {
                    try c.classifier.lossAndGradient(
                        trainable: x, texts: texts, indices: [0, 1, 2], labels: [0, 2, 1], gradient: g, workspace: right,
                        backend: backend)
                }
                #expect(throws: TransformerError.self) {
                    try c.classifier.lossAndGradient(
                        trainable: x, texts: texts, indices: [0, 1, 2], labels: c.labels,
                        gradient: UnsafeMutableBufferPointer(rebasing: g[1...]), workspace: right, backend: backend)
                }
            }
        }
    }
}
