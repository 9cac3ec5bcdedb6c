import ArgumentParser
import HiSoKernels
import HiSoModels

/// `hiso-bench models`: forward passes against their GEMM floor, and full zeroth-order steps.
///
/// Entries, for each model, backend and thread count (batch `--batch`, default 64):
/// - `forward_gemm_floor` (ms): the forward's GEMMs alone (``Network/forwardGEMMs(count:blocked:)``:
///   the same calls, shapes and transposes, on preallocated operands; one operand set per
///   distinct shape, reused like the forward reuses its im2col block), through the same backend;
/// - `forward_gemm_unblocked` (ms, information): one GEMM per layer over the whole batch, the
///   textbook lowering the blocked convolutions replace;
/// - `forward` (ms): one full forward pass with softmax cross-entropy
///   (``Network/loss(parameters:inputs:labels:count:workspace:backend:)``), floor = the above
///   (targets: ratio <= 1.1 for MLP 784-256-10, <= 1.25 for CNN_MNIST);
/// - `zo_step` (ms): one central ZO step (``FusedZOStep``: perturb +mu, forward, perturb -2mu,
///   forward, fused restore-and-update), floor = two `forward` medians (`two_forwards`), so the
///   ratio shows the vector work's share.
///
/// Memory: the model's workspace for one batch, its parameters, a batch of inputs and the GEMM
/// operands (about 40 MB for CNN_MNIST at batch 64, 2.5x that for CNN_FMNIST).
struct ModelsSuite: BenchmarkSuite {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Model forward passes against their raw GEMM time, and full ZO steps.")

    @OptionGroup var options: BenchmarkOptions

    @Option(help: "Batch size of every forward pass.")
    var batch = 64

    @Option(
        help: """
            Models (repeatable): mlp, cnn_mnist, cnn_fmnist, mlp_digits, encoder, encoder-first-order \
            (one gradient step of MiniLM with the last 2 layers trainable). Default: mlp and cnn_mnist, \
            plus cnn_fmnist, mlp_digits and encoder without --quick.
            """
    )
    var model: [String] = []

    @Option(help: "The all-MiniLM-L6-v2 directory for the encoder entries (default: HISO_MINILM_DIR or .models/minilm).")
    var modelDir: String?

    @Option(help: "A GLUE SST-2 directory (train.tsv): the encoder entries then run real training sentences.")
    var sst2Dir: String?

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, found \(batch)") }
        for name in model where name != "encoder" && name != "encoder-first-order" && Self.factory(name) == nil {
            throw ValidationError(
                "unknown model '\(name)': expected mlp, cnn_mnist, cnn_fmnist, mlp_digits, encoder or encoder-first-order")
        }
    }

    /// The model named `name`, or `nil`.
    static func factory(_ name: String) -> (() throws -> Network)? {
        switch name {
        case "mlp": return { try Network.mlp(widths: [784, 256, 10]) }
        case "cnn_mnist": return { try Network.cnnMNIST() }
        case "cnn_fmnist": return { try Network.cnnFMNIST() }
        case "mlp_digits": return { try Network.mlp(widths: [64, 32, 10]) }
        default: return nil
        }
    }

    func run(in context: BenchmarkContext) throws {
        let names =
            model.isEmpty
            ? (context.quick ? ["mlp", "cnn_mnist"] : ["mlp", "cnn_mnist", "cnn_fmnist", "mlp_digits", "encoder"])
            : model
        for name in names {
            if name == "encoder" {
                try Self.encoderEntries(in: context, modelDirectory: modelDir, sst2Directory: sst2Dir)
                continue
            }
            if name == "encoder-first-order" {
                try Self.firstOrderEntries(in: context)
                continue
            }
            guard let make = Self.factory(name) else { continue }
            let network = try make()
            context.note("models: \(name) (\(network.parameterCount) parameters, batch \(batch))")
            try measure(network, in: context)
        }
    }

    /// Measures one model on every selected backend and thread count.
    private func measure(_ network: Network, in context: BenchmarkContext) throws {
        let count = batch
        var x = network.initialParameters(seed: 0)
        var inputs = [Float](repeating: 0, count: count * network.inputFeatures)
        inputs.withUnsafeMutableBufferPointer { Floors.fillDeterministic($0.baseAddress!, count: $0.count) }
        let labels = (0..<count).map { Int32($0 % network.classCount) }
        let workspace = try network.makeWorkspace(batchSize: count)
        let shape = "\(network.name) batch \(count)"
        let operands = GEMMOperands(network.forwardGEMMs(count: count))
        let unblocked = GEMMOperands(network.forwardGEMMs(count: count, blocked: false))
        defer {
            operands.deallocate()
            unblocked.deallocate()
        }

        for threads in context.threadCounts {
            for kind in context.backends {
                let backend = try context.backend(kind, threads: threads, threadedGEMM: true)
                let floorTimes = context.measure { operands.run(on: backend) }
                let floorMs = floorTimes.median * 1e3
                context.record(
                    BenchmarkResult(
                        name: "forward_gemm_floor", backend: kind, threads: threads, shape: shape, value: floorMs,
                        unit: "ms", trials: floorTimes.seconds.count, spread: floorTimes.spread))
                if unblocked.shapes != operands.shapes {
                    let times = context.measure { unblocked.run(on: backend) }
                    context.record(
                        BenchmarkResult(
                            name: "forward_gemm_unblocked", backend: kind, threads: threads, shape: shape,
                            value: times.median * 1e3, unit: "ms", trials: times.seconds.count, spread: times.spread))
                }

                let forward = try inputs.withUnsafeBufferPointer { i in
                    try labels.withUnsafeBufferPointer { l in
                        try x.withUnsafeBufferPointer { p in
                            try context.measure {
                                _ = try network.loss(
                                    parameters: p, inputs: i, labels: l, count: count, workspace: workspace,
                                    backend: backend)
                            }
                        }
                    }
                }
                let forwardMs = forward.median * 1e3
                context.record(
                    BenchmarkResult(
                        name: "forward", backend: kind, threads: threads, shape: shape, value: forwardMs, unit: "ms",
                        floor: floorMs, floorName: "forward_gemm_floor", trials: forward.seconds.count,
                        spread: forward.spread))

                let step = FusedZOStep(backend: backend, dimension: network.parameterCount)
                var stream: UInt64 = 0
                let zo = try inputs.withUnsafeBufferPointer { i in
                    try labels.withUnsafeBufferPointer { l in
                        try x.withUnsafeMutableBufferPointer { p in
                            try context.measure {
                                stream &+= 1
                                _ = try step.step(p, scale: nil, seed: 1, stream: stream, mu: 1e-3, learningRate: 1e-4)
                                { q in
                                    try network.loss(
                                        parameters: q, inputs: i, labels: l, count: count, workspace: workspace,
                                        backend: backend)
                                }
                            }
                        }
                    }
                }
                context.record(
                    BenchmarkResult(
                        name: "zo_step", backend: kind, threads: threads, shape: shape, value: zo.median * 1e3,
                        unit: "ms",
                        floor: 2 * forwardMs, floorName: "two_forwards", trials: zo.seconds.count, spread: zo.spread))
            }
        }
    }
}

/// Preallocated operands for a list of GEMMs (filled with a fixed pattern), run back to back.
/// Calls with the same operand shape share one operand set (whether they accumulate or not), as
/// the forward's blocks share its buffers.
struct GEMMOperands {
    typealias Operands = (
        a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>
    )
    let shapes: [GEMMShape]
    let buffers: [GEMMShape: Operands]

    /// The operand set a call uses: its shape without the accumulate flag.
    static func key(_ s: GEMMShape) -> GEMMShape {
        GEMMShape(transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, ldb: s.ldb)
    }

    init(_ shapes: [GEMMShape]) {
        self.shapes = shapes
        var buffers: [GEMMShape: Operands] = [:]
        for s in shapes.map(Self.key) where buffers[s] == nil {
            let bCount = (s.transB ? s.n : s.k) * s.ldb
            let a = UnsafeMutablePointer<Float>.allocate(capacity: s.m * s.k)
            let b = UnsafeMutablePointer<Float>.allocate(capacity: bCount)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: s.m * s.n)
            Floors.fillDeterministic(a, count: s.m * s.k)
            Floors.fillDeterministic(b, count: bCount)
            c.initialize(repeating: 0, count: s.m * s.n)
            buffers[s] = (a, b, c)
        }
        self.buffers = buffers
    }

    /// Runs every GEMM once, `C = op(A) op(B)`.
    func run(on backend: any KernelBackend) {
        for s in shapes {
            let p = buffers[Self.key(s)]!
            backend.gemm(
                transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1,
                a: p.a, lda: s.lda, b: p.b, ldb: s.ldb, beta: s.accumulate ? 1 : 0, c: p.c, ldc: s.ldc)
        }
    }

    func deallocate() {
        for p in buffers.values {
            p.a.deallocate()
            p.b.deallocate()
            p.c.deallocate()
        }
    }
}
