import HiSoKernels
import HiSoModels
import Testing

@Suite("Architectures and API errors")
struct NetworkArchitectureTests {
    @Test("parameter counts of the named architectures")
    func parameterCounts() throws {
        #expect(try Network.mlp(widths: [64, 32, 10]).parameterCount == 2410)
        #expect(try Network.mlp(widths: [784, 256, 10]).parameterCount == 203_530)
        #expect(try Network.logisticRegression(features: 64, classes: 10).parameterCount == 650)
        #expect(try Network.cnnMNIST().parameterCount == 28_938)
        #expect(try Network.cnnFMNIST().parameterCount == 1_199_882)
    }

    @Test("slices follow PyTorch Sequential state-dict order, names and shapes")
    func slices() throws {
        let net = try Network.cnnMNIST()
        #expect(net.slices.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"])
        #expect(net.slices.map(\.shape) == [[16, 1, 5, 5], [16], [32, 16, 5, 5], [32], [10, 1568], [10]])
        #expect(net.slices.map(\.offset) == [0, 400, 416, 13216, 13248, 28928])
        #expect(net.slices.map(\.fanIn) == [25, 25, 400, 400, 1568, 1568])
        #expect(net.classCount == 10)
        #expect(net.inputFeatures == 784)
        let fm = try Network.cnnFMNIST()
        #expect(
            fm.slices.map(\.name) == [
                "0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias", "8.weight", "8.bias",
            ])
        #expect(fm.slice(named: "6.weight")?.shape == [128, 9216])
        let mlp = try Network.mlp(widths: [64, 32, 10])
        #expect(mlp.slices.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(mlp.slice(named: "2.bias")?.range == 2400..<2410)
    }

    @Test("inconsistent architectures throw with the layer index")
    func invalidArchitectures() {
        #expect(
            throws: ModelError.invalidArchitecture(
                layer: 1, reason: "Linear(5 -> 3) expects 5 inputs, previous output has 4")
        ) {
            try Network(
                name: "x", inputShape: .flat(6),
                layers: [.linear(inputs: 6, outputs: 4), .linear(inputs: 5, outputs: 3)])
        }
        #expect(throws: ModelError.self) {
            try Network(
                name: "x", inputShape: TensorShape(channels: 1, height: 4, width: 4),
                layers: [.linear(inputs: 16, outputs: 3)])
        }
        #expect(throws: ModelError.self) {
            try Network(
                name: "x", inputShape: TensorShape(channels: 2, height: 4, width: 4),
                layers: [.conv2d(inChannels: 1, outChannels: 2, kernel: 3)])
        }
        #expect(throws: ModelError.self) {
            try Network(
                name: "x", inputShape: TensorShape(channels: 1, height: 2, width: 2),
                layers: [.conv2d(inChannels: 1, outChannels: 2, kernel: 3)])
        }
        #expect(throws: ModelError.self) {
            try Network(name: "x", inputShape: .flat(4), layers: [.linear(inputs: 4, outputs: 1)])
        }
        #expect(throws: ModelError.self) { try Network(name: "x", inputShape: .flat(4), layers: [.relu]) }
        #expect(throws: ModelError.self) { try Network.mlp(widths: [4]) }
        #expect(throws: ModelError.self) { try Network.cnnMNIST().makeWorkspace(batchSize: 0) }
    }

    @Test("dimension mismatches between model and data are typed errors, not traps")
    func boundaryErrors() throws {
        let net = try Network.mlp(widths: [4, 3, 2])
        let other = try Network.mlp(widths: [4, 5, 2])
        let backend = try Kernels.backend(.swift)
        let ws = try net.makeWorkspace(batchSize: 2)
        let p = net.initialParameters(seed: 0)
        let x = [Float](repeating: 0.5, count: 8)
        func loss(_ p: [Float], _ x: [Float], _ labels: [Int32], count: Int, workspace: NetworkWorkspace? = nil)
            throws(ModelError) -> Float
        {
            let ws = workspace ?? ws
            do {
                return try p.withUnsafeBufferPointer { pp in
                    try x.withUnsafeBufferPointer { xp in
                        try labels.withUnsafeBufferPointer { lp in
                            try net.loss(
                                parameters: pp, inputs: xp, labels: lp, count: count, workspace: ws, backend: backend)
                        }
                    }
                }
            } catch let e as ModelError {
                throw e
            } catch {
                Issue.record("unexpected error \(error)")
                return .nan
            }
        }
        #expect(try loss(p, x, [0, 1], count: 2).isFinite)
        #expect(throws: ModelError.inputFeatureMismatch(expected: 4, found: 3)) {
            try loss(p, Array(x[0..<6]), [0, 1], count: 2)
        }
        #expect(throws: ModelError.sizeMismatch(what: "inputs (2 samples x 4 features)", expected: 8, found: 7)) {
            try loss(p, Array(x[0..<7]), [0, 1], count: 2)
        }
        #expect(throws: ModelError.sizeMismatch(what: "parameter vector of mlp_4_3_2", expected: 23, found: 22)) {
            try loss(Array(p.dropLast()), x, [0, 1], count: 2)
        }
        #expect(throws: ModelError.sizeMismatch(what: "labels", expected: 2, found: 1)) {
            try loss(p, x, [0], count: 2)
        }
        #expect(throws: ModelError.labelOutOfRange(sample: 1, label: 2, classCount: 2)) {
            try loss(p, x, [0, 2], count: 2)
        }
        #expect(throws: ModelError.labelOutOfRange(sample: 0, label: -1, classCount: 2)) {
            try loss(p, x, [-1, 0], count: 2)
        }
        #expect(throws: ModelError.emptyBatch) { try loss(p, [], [], count: 0) }
        #expect(throws: ModelError.batchTooLarge(count: 3, capacity: 2)) {
            try loss(p, x + [0, 0, 0, 0], [0, 1, 0], count: 3)
        }
        #expect(throws: ModelError.workspaceMismatch) {
            try loss(p, x, [0, 1], count: 2, workspace: try other.makeWorkspace(batchSize: 2))
        }
        #expect(throws: ModelError.inputFeatureMismatch(expected: 4, found: 64)) { try net.validate(inputFeatures: 64) }
        #expect(throws: ModelError.classCountMismatch(expected: 2, found: 10)) {
            try net.validate(inputFeatures: 4, classCount: 10)
        }
        #expect(throws: Never.self) { try net.validate(inputFeatures: 4, classCount: 2) }
        #expect(ModelError.batchTooLarge(count: 3, capacity: 2).description.contains("capacity of 2"))
    }
}
