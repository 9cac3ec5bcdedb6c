import Foundation
import HiSoKernels
import HiSoModels
import HiSoTransformer

extension ModelsSuite {
    /// The MiniLM encoder entries of `hiso-bench models` (call from ``run(in:)``): for each
    /// backend and thread count, full forward passes over ``EncoderBatches`` (4 packed batches of
    /// 32 real SST-2 training sentences with the pretrained all-MiniLM-L6-v2, or fixed-length
    /// synthetic ones without the model and data):
    ///
    /// - `encoder_gemm_floor` (GFLOP/s): the forwards' GEMMs alone (``BertEncoder/forwardGEMMs(tokens:first:loraRank:)``
    ///   for each batch's token count: Q/K/V, attention output, FFN in and out per layer) on
    ///   preallocated operands, through the same backend;
    /// - `encoder_forward` (GFLOP/s): those GEMM flops divided by the full forward time (embedding,
    ///   attention, LayerNorm, GELU and pooling included), with the floor above (target:
    ///   ratio >= 0.85 at 1 and 2 threads);
    /// - `encoder_tokens` (tokens/s): packed tokens over the forward time; floor: the token rate
    ///   the GEMMs alone allow.
    ///
    /// The floor and the forward are timed interleaved, trial by trial, so both see the same load.
    /// Memory: the encoder's 22.6 M parameters (91 MB), a workspace for one batch and the GEMM
    /// operands of each distinct shape (about 10 MB per batch).
    static func encoderEntries(in context: BenchmarkContext, modelDirectory: String?, sst2Directory: String?) throws {
        let setup = try EncoderBatches(modelDirectory: modelDirectory, sst2Directory: sst2Directory) { context.note($0) }
        let encoder = setup.encoder
        let workspace = BertWorkspace(
            configuration: encoder.configuration, maxBatch: EncoderBatches.batchSize,
            maxSequenceLength: EncoderBatches.maxLength)
        let operands = setup.tokenCounts.map { GEMMOperands(encoder.forwardGEMMs(tokens: $0)) }
        defer { for o in operands { o.deallocate() } }
        let flops = operands.reduce(0) { $0 + $1.shapes.reduce(0) { $0 + $1.flops } }
        let tokens = Double(setup.tokenCounts.reduce(0, +))
        let shape = "minilm \(setup.batches.count)x\(EncoderBatches.batchSize) \(setup.source), \(Int(tokens)) tokens"
        context.note("models: encoder \(shape) (\(flops / 1e9) GFLOP of GEMM per sweep)")
        try setup.parameters.withUnsafeBufferPointer { p in
            let view = BertParameterView(base: p.baseAddress!)
            // Checks every batch once, so that the timed closure cannot fail.
            let check = try context.backend(context.backends[0], threads: 1)
            for batch in setup.batches {
                try encoder.forward(view, texts: setup.texts, indices: batch, workspace: workspace, backend: check)
            }
            for threads in context.threadCounts {
                for kind in context.backends {
                    let backend = try context.backend(kind, threads: threads, threadedGEMM: true)
                    let times = context.measureInterleaved([
                        { for o in operands { o.run(on: backend) } },
                        {
                            for batch in setup.batches {
                                try? encoder.forward(view, texts: setup.texts, indices: batch, workspace: workspace, backend: backend)
                            }
                        },
                    ])
                    let (floor, forward) = (times[0], times[1])
                    let floorRate = flops / floor.median / 1e9
                    context.record(BenchmarkResult(
                        name: "encoder_gemm_floor", backend: kind, threads: threads, shape: shape, value: floorRate,
                        unit: "GFLOP/s", trials: floor.seconds.count, spread: floor.spread))
                    context.record(BenchmarkResult(
                        name: "encoder_forward", backend: kind, threads: threads, shape: shape,
                        value: flops / forward.median / 1e9, unit: "GFLOP/s", floor: floorRate,
                        floorName: "encoder_gemm_floor", trials: forward.seconds.count, spread: forward.spread))
                    context.record(BenchmarkResult(
                        name: "encoder_tokens", backend: kind, threads: threads, shape: shape,
                        value: tokens / forward.median, unit: "tokens/s", floor: tokens / floor.median,
                        floorName: "encoder_gemm_floor", trials: forward.seconds.count, spread: forward.spread))
                }
            }
        }
    }
}

/// The encoder and the packed batches the encoder benchmarks run: with a model directory and an
/// SST-2 directory, the pretrained all-MiniLM-L6-v2 and 4 batches of 32 training sentences drawn
/// by `SeededGenerator(seed: 0, stream: [0x454E_4342])` (truncated to 64 tokens); otherwise an
/// all-MiniLM-L6-v2-shaped encoder with a fixed weight pattern and 4 batches of 32 synthetic
/// sequences of 16 tokens (about the SST-2 training mean of 13).
struct EncoderBatches {
    static let batchSize = 32
    static let maxLength = 64
    static let batchCount = 4

    let encoder: BertEncoder
    let parameters: [Float]
    let texts: EncodedTexts
    /// Text indices of each batch.
    let batches: [[Int]]
    /// Packed tokens of each batch.
    let tokenCounts: [Int]
    /// "sst2" or "synthetic".
    let source: String

    init(modelDirectory: String?, sst2Directory: String?, note: (String) -> Void) throws {
        let modelURL = modelDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? PretrainedBert.defaultDirectory(packageRoot: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        // A model directory given on the command line must load; only the default location may be absent.
        let model = modelDirectory != nil ? try PretrainedBert(directory: modelURL) : try? PretrainedBert(directory: modelURL)
        if let sst2Directory, let model {
            let train = try SST2Dataset(directory: URL(fileURLWithPath: sst2Directory, isDirectory: true), split: "train")
            var generator = SeededGenerator(seed: 0, stream: [0x454E_4342])
            let picked = (0..<(Self.batchCount * Self.batchSize)).map { _ in train.sentences[generator.nextIndex(below: train.count)] }
            encoder = model.encoder
            parameters = model.parameters
            texts = try EncodedTexts(picked, tokenizer: model.tokenizer, maxLength: Self.maxLength)
            source = "sst2"
        } else {
            note("models: encoder on synthetic sequences (give --model-dir and --sst2-dir for real SST-2 batches)")
            let configuration = try BertConfiguration(
                hiddenSize: 384, headCount: 12, layerCount: 6, intermediateSize: 1536, vocabularySize: 30522,
                maxPositions: 512, typeVocabularySize: 2, layerNormEpsilon: 1e-12)
            encoder = BertEncoder(configuration: configuration)
            var weights = [Float](repeating: 0, count: encoder.layout.count)
            weights.withUnsafeMutableBufferPointer { p in
                Floors.fillDeterministic(p.baseAddress!, count: p.count)
                for i in p.indices { p[i] *= 0.05 }
            }
            parameters = weights
            var sequences: [[Int32]] = []
            for b in 0..<(Self.batchCount * Self.batchSize) {
                var ids: [Int32] = [101]
                for p in 1..<15 {
                    let id: Int = 1000 + (b * 7919 + p * 104_729) % 29_000
                    ids.append(Int32(id))
                }
                ids.append(102)
                sequences.append(ids)
            }
            texts = try EncodedTexts(sequences: sequences, maxLength: Self.maxLength)
            source = "synthetic"
        }
        batches = (0..<Self.batchCount).map { Array(($0 * Self.batchSize)..<(($0 + 1) * Self.batchSize)) }
        tokenCounts = batches.map { [texts] batch in batch.reduce(0) { $0 + texts.length(of: $1) } }
    }
}
