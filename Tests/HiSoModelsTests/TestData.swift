import HiSoKernels
import HiSoModels

/// Deterministic test inputs: a small xorshift stream mapped to `[-1, 1)`.
struct TestStream {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> Float {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Float(state >> 40) * 0x1p-23 - 1
    }

    mutating func floats(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in scale * next() }
    }

    mutating func labels(_ count: Int, classes: Int) -> [Int32] {
        (0..<count).map { _ in Int32(Int((next() + 1) * 0.5 * Float(classes)) % classes) }
    }
}

/// A network, its parameters and one batch, with helpers that run the pointer API.
struct Fixture {
    let network: Network
    var parameters: [Float]
    let inputs: [Float]
    let labels: [Int32]
    let count: Int

    init(_ network: Network, count: Int, seed: UInt64 = 1, inputScale: Float = 1) {
        self.network = network
        self.count = count
        parameters = network.initialParameters(seed: seed)
        var stream = TestStream(seed: seed &+ 100)
        inputs = stream.floats(count * network.inputFeatures, scale: inputScale)
        labels = stream.labels(count, classes: network.classCount)
    }

    func logits(backend: any KernelBackend, parameters p: [Float]? = nil) throws -> [Float] {
        let ws = try network.makeWorkspace(batchSize: count)
        return try (p ?? parameters).withUnsafeBufferPointer { x in
            try inputs.withUnsafeBufferPointer { i in
                Array(try network.forward(parameters: x, inputs: i, count: count, workspace: ws, backend: backend))
            }
        }
    }

    func evaluate(backend: any KernelBackend) throws -> Evaluation {
        let ws = try network.makeWorkspace(batchSize: count)
        return try parameters.withUnsafeBufferPointer { x in
            try inputs.withUnsafeBufferPointer { i in
                try labels.withUnsafeBufferPointer { l in
                    try network.evaluate(
                        parameters: x, inputs: i, labels: l, count: count, workspace: ws, backend: backend)
                }
            }
        }
    }

    func lossAndGradient(backend: any KernelBackend) throws -> (loss: Float, gradient: [Float]) {
        let ws = try network.makeWorkspace(batchSize: count)
        var g = [Float](repeating: .nan, count: network.parameterCount)
        let loss = try parameters.withUnsafeBufferPointer { x in
            try inputs.withUnsafeBufferPointer { i in
                try labels.withUnsafeBufferPointer { l in
                    try g.withUnsafeMutableBufferPointer { gp in
                        try network.lossAndGradient(
                            parameters: x, inputs: i, labels: l, count: count, gradient: gp, workspace: ws,
                            backend: backend)
                    }
                }
            }
        }
        return (loss, g)
    }

    var reference: NaiveReference { NaiveReference(network: network) }

    func referenceLogits() -> [Float] {
        reference.logits(parameters: parameters.map(Double.init), inputs: inputs.map(Double.init), count: count)
            .flatMap { $0.map(Float.init) }
    }

    func referenceLoss(_ p: [Double]) -> Double {
        reference.loss(parameters: p, inputs: inputs.map(Double.init), labels: labels, count: count)
    }
}
