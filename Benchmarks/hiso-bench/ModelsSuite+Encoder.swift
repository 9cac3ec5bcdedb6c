import HiSoKernels
import HiSoTransformer

extension ModelsSuite {
    /// The MiniLM encoder entries of `hiso-bench models` (call from ``run(in:)``):
    /// for each backend and thread count, a forward pass of `batch` sequences of `sequenceLength`
    /// tokens through an all-MiniLM-L6-v2-shaped encoder (6 layers, h 384, 12 heads, FFN 1536).
    ///
    /// - `encoder_gemm_floor` (GFLOP/s): the forward's GEMMs alone — the same shapes, transposes and
    ///   leading dimensions (per layer Q/K/V, attention output, FFN in and out, and per sequence
    ///   and head the score and context products) on preallocated operands, through the same backend;
    /// - `encoder_forward` (GFLOP/s): those GEMM flops divided by the full forward time, with the
    ///   floor above (issue target: ratio >= 0.6);
    /// - `encoder_tokens` (tokens/s): `batch * sequenceLength` over the forward time; its floor is
    ///   the token rate the GEMMs alone would allow.
    ///
    /// Weights are a fixed small pattern, not the pretrained ones (the speed does not depend on
    /// them), so the entry needs no model download.
    /// Memory: the encoder's 22.6 M parameters (91 MB), a workspace (about 15 MB at 2,048 tokens) and
    /// the GEMM operands (about 12 MB).
    static func encoderEntries(in context: BenchmarkContext, batch: Int = 32, sequenceLength: Int = 64) throws {
        let configuration = try BertConfiguration(
            hiddenSize: 384, headCount: 12, layerCount: 6, intermediateSize: 1536, vocabularySize: 30522,
            maxPositions: 512, typeVocabularySize: 2, layerNormEpsilon: 1e-12)
        let encoder = BertEncoder(configuration: configuration)
        var parameters = [Float](repeating: 0, count: encoder.layout.count)
        parameters.withUnsafeMutableBufferPointer { p in
            Floors.fillDeterministic(p.baseAddress!, count: p.count)
            for i in p.indices { p[i] *= 0.05 }
        }
        var sequences: [[Int32]] = []
        for b in 0..<batch {
            var ids: [Int32] = [101]
            for p in 1..<(sequenceLength - 1) {
                let id: Int = 1000 + (b * 7919 + p * 104_729) % 29_000
                ids.append(Int32(id))
            }
            ids.append(102)
            sequences.append(ids)
        }
        let texts = try EncodedTexts(sequences: sequences, maxLength: sequenceLength)
        let indices = Array(0..<batch)
        let workspace = BertWorkspace(configuration: configuration, maxBatch: batch, maxSequenceLength: sequenceLength)
        let gemms = EncoderGEMMs(configuration: configuration, batch: batch, sequenceLength: sequenceLength)
        defer { gemms.deallocate() }
        let tokens = Double(batch * sequenceLength)
        let shape = "minilm batch \(batch) seq \(sequenceLength)"
        context.note("models: minilm encoder (\(encoder.layout.count) parameters, \(Int(tokens)) tokens, \(gemms.flops / 1e9) GFLOP of GEMM)")

        for threads in context.threadCounts {
            for kind in context.backends {
                let backend = try context.backend(kind, threads: threads)
                let floor = context.measure { gemms.run(on: backend) }
                let floorRate = gemms.flops / floor.median / 1e9
                context.record(BenchmarkResult(
                    name: "encoder_gemm_floor", backend: kind, threads: threads, shape: shape, value: floorRate,
                    unit: "GFLOP/s", trials: floor.seconds.count, spread: floor.spread))
                let forward = try parameters.withUnsafeBufferPointer { p in
                    let view = BertParameterView(base: p.baseAddress!)
                    return try context.measure {
                        try encoder.forward(view, texts: texts, indices: indices, workspace: workspace, backend: backend)
                    }
                }
                context.record(BenchmarkResult(
                    name: "encoder_forward", backend: kind, threads: threads, shape: shape,
                    value: gemms.flops / forward.median / 1e9, unit: "GFLOP/s", floor: floorRate,
                    floorName: "encoder_gemm_floor", trials: forward.seconds.count, spread: forward.spread))
                context.record(BenchmarkResult(
                    name: "encoder_tokens", backend: kind, threads: threads, shape: shape,
                    value: tokens / forward.median, unit: "tokens/s", floor: tokens / floor.median,
                    floorName: "encoder_gemm_floor", trials: forward.seconds.count, spread: forward.spread))
            }
        }
    }
}

/// The GEMMs of one encoder forward pass on preallocated operands (one operand set per distinct
/// shape, reused by its repetitions), run back to back in the encoder's order.
private struct EncoderGEMMs {
    /// One GEMM shape and how many times per forward pass it runs.
    struct Call {
        var transB: Bool
        var m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
        var repeats: Int
        var a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>
    }

    /// The calls of one layer; the forward runs them `layers` times.
    let calls: [Call]
    let layers: Int
    /// `2 m n k` summed over every call of the forward pass.
    let flops: Double

    init(configuration: BertConfiguration, batch: Int, sequenceLength: Int) {
        let t = batch * sequenceLength
        let h = configuration.hiddenSize
        let inner = configuration.intermediateSize
        let dh = configuration.headSize
        let s = sequenceLength
        let perHead = batch * configuration.headCount
        func call(_ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ lda: Int, _ ldb: Int, _ ldc: Int, _ repeats: Int) -> Call {
            let rowsA = m, rowsB = transB ? n : k, rowsC = m
            let a = UnsafeMutablePointer<Float>.allocate(capacity: rowsA * lda)
            let b = UnsafeMutablePointer<Float>.allocate(capacity: rowsB * ldb)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: rowsC * ldc)
            Floors.fillDeterministic(a, count: rowsA * lda)
            Floors.fillDeterministic(b, count: rowsB * ldb)
            c.initialize(repeating: 0, count: rowsC * ldc)
            return Call(transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc, repeats: repeats, a: a, b: b, c: c)
        }
        calls = [
            call(true, t, 3 * h, h, h, h, 3 * h, 1),
            call(true, s, s, dh, 3 * h, 3 * h, s, perHead),
            call(false, s, dh, s, s, 3 * h, h, perHead),
            call(true, t, h, h, h, h, h, 1),
            call(true, t, inner, h, h, h, inner, 1),
            call(true, t, h, inner, inner, inner, h, 1),
        ]
        layers = configuration.layerCount
        flops = Double(layers) * calls.reduce(0) { $0 + 2 * Double($1.m * $1.n * $1.k * $1.repeats) }
    }

    /// Runs every GEMM of one forward pass, `C = A op(B)`.
    func run(on backend: any KernelBackend) {
        for _ in 0..<layers {
            for c in calls {
                for _ in 0..<c.repeats {
                    backend.gemm(
                        transA: false, transB: c.transB, m: c.m, n: c.n, k: c.k, alpha: 1,
                        a: c.a, lda: c.lda, b: c.b, ldb: c.ldb, beta: 0, c: c.c, ldc: c.ldc)
                }
            }
        }
    }

    func deallocate() {
        for c in calls {
            c.a.deallocate()
            c.b.deallocate()
            c.c.deallocate()
        }
    }
}
