import HiSoKernels
import HiSoTransformer

extension ModelsSuite {
    /// The first-order entries of `hiso-bench models --model encoder-first-order`: for each backend
    /// and thread count, one gradient step of an all-MiniLM-L6-v2-shaped classifier (h 384, 12 heads,
    /// FFN 1536, 6 layers) with the last `trainable` layers and the head trainable, on `batch`
    /// packed sequences of 5 to 21 tokens (mean 13, like SST-2 training phrases), frozen prefix cached.
    ///
    /// - `encoder_tail_forward` (ms): one loss evaluation (forward of the trainable layers from the
    ///   cached prefix, pooling, head) — the unit of a zeroth-order step, which makes `P + 1`
    ///   of them with forward differences (6 at P 5);
    /// - `encoder_first_order_step` (ms): ``BertClassifier/lossAndGradient(trainable:texts:indices:labels:gradient:workspace:backend:cache:inputGradient:)``
    ///   (recording forward, head, backward through the trainable layers), floor = the tail
    ///   forward above, so the ratio is the step's cost in forwards (about 3 expected).
    ///
    /// For comparison, the same step in PyTorch 2 on CPU (last 2 layers, batch 32, 2 threads of
    /// this machine kind) takes about 0.22 s (the project's reference measurement).
    /// Weights are a fixed small pattern (the speed does not depend on them), so no download is needed.
    /// Memory: the 22.6 M parameters (91 MB), the gradient workspace (about 25 KB per token and
    /// trainable layer), the cached prefix of the batch.
    static func firstOrderEntries(in context: BenchmarkContext, batch: Int = 32, trainable: Int = 2) throws {
        let configuration = try BertConfiguration(
            hiddenSize: 384, headCount: 12, layerCount: 6, intermediateSize: 1536, vocabularySize: 30522,
            maxPositions: 512, typeVocabularySize: 2, layerNormEpsilon: 1e-12)
        var parameters = [Float](repeating: 0, count: BertParameterLayout(configuration).count)
        parameters.withUnsafeMutableBufferPointer { p in
            Floors.fillDeterministic(p.baseAddress!, count: p.count)
            for i in p.indices { p[i] *= 0.05 }
        }
        let model = try PretrainedBert(
            configuration: configuration, parameters: parameters,
            tokenizer: WordPieceTokenizer(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]))
        let classifier = try BertClassifier(model: model, subset: .lastLayers(trainable))
        let sequences: [[Int32]] = (0..<batch).map { b in
            let length = 5 + (b * 7) % 17
            return [101] + (1..<(length - 1)).map { p in Int32(1000 + (b * 7919 + p * 104_729) % 29_000) } + [102]
        }
        let longest = sequences.map(\.count).max() ?? 2
        let texts = try EncodedTexts(sequences: sequences, maxLength: longest)
        let indices = Array(0..<batch)
        let labels = indices.map { Int32($0 % 2) }
        let tokens = sequences.map(\.count).reduce(0, +)
        var x = [Float](repeating: 0, count: classifier.trainableCount)
        x.withUnsafeMutableBufferPointer { classifier.initialTrainable(seed: 0, into: $0) }
        var gradient = [Float](repeating: 0, count: classifier.trainableCount)
        let cache = HiddenStateCache(texts: texts, layers: classifier.frozenLayers, width: configuration.hiddenSize)
        let plain = BertWorkspace(configuration: configuration, maxBatch: batch, maxSequenceLength: longest)
        let workspace = BertGradientWorkspace(classifier: classifier, maxBatch: batch, maxSequenceLength: longest)
        let shape = "minilm last-\(trainable) batch \(batch) tokens \(tokens)"
        context.note("models: minilm first-order step (d \(classifier.trainableCount), \(tokens) tokens, prefix cached)")

        for threads in context.threadCounts {
            for kind in context.backends {
                let backend = try context.backend(kind, threads: threads, threadedGEMM: true)
                let (forward, step) = try x.withUnsafeBufferPointer { p in
                    try gradient.withUnsafeMutableBufferPointer { g in
                        try classifier.encode(
                            trainable: p, texts: texts, indices: indices, workspace: plain, backend: backend, cache: cache)
                        let forward = try context.measure {
                            try classifier.encode(
                                trainable: p, texts: texts, indices: indices, workspace: plain, backend: backend, cache: cache)
                            _ = classifier.headLoss(trainable: p, features: plain.pooled, labels: labels)
                        }
                        let step = try context.measure {
                            _ = try classifier.lossAndGradient(
                                trainable: p, texts: texts, indices: indices, labels: labels, gradient: g,
                                workspace: workspace, backend: backend, cache: cache)
                        }
                        return (forward, step)
                    }
                }
                let forwardMs = forward.median * 1e3
                context.record(BenchmarkResult(
                    name: "encoder_tail_forward", backend: kind, threads: threads, d: classifier.trainableCount, shape: shape,
                    value: forwardMs, unit: "ms", trials: forward.seconds.count, spread: forward.spread))
                context.record(BenchmarkResult(
                    name: "encoder_first_order_step", backend: kind, threads: threads, d: classifier.trainableCount,
                    shape: shape, value: step.median * 1e3, unit: "ms", floor: forwardMs, floorName: "encoder_tail_forward",
                    trials: step.seconds.count, spread: step.spread))
            }
        }
    }
}
