import HiSoKernels
import HiSoModels
import HiSoTestSupport
import Testing

@Suite("Backpropagation")
struct NetworkGradientTests {
    /// Central difference of the float64 naive loss along `direction`:
    /// `(L(x + h d) - L(x - h d)) / (2 h)`.
    static func centralDifference(_ fixture: Fixture, direction: [Double], h: Double = 1e-6) -> Double {
        let x = fixture.parameters.map(Double.init)
        let plus = zip(x, direction).map { $0 + h * $1 }
        let minus = zip(x, direction).map { $0 - h * $1 }
        return (fixture.referenceLoss(plus) - fixture.referenceLoss(minus)) / (2 * h)
    }

    @Test("every coordinate of every small architecture matches central differences (float64)")
    func coordinateGradients() throws {
        let backend = try Kernels.backend(.swift)
        for (name, network) in try SmallNetworks.all() {
            let fixture = Fixture(network, count: 3, seed: 21)
            let (loss, gradient) = try fixture.lossAndGradient(backend: backend)
            let reference = fixture.referenceLoss(fixture.parameters.map(Double.init))
            #expect(abs(Double(loss) - reference) < 1e-5 * max(1, abs(reference)), "\(name)")
            var worst = 0.0
            for i in 0..<network.parameterCount {
                var e = [Double](repeating: 0, count: network.parameterCount)
                e[i] = 1
                let fd = Self.centralDifference(fixture, direction: e)
                worst = max(worst, abs(Double(gradient[i]) - fd) / max(abs(fd), 1e-3))
            }
            #expect(worst < 1e-3, "\(name): worst relative gradient error \(worst)")
        }
    }

    /// Large networks have thousands of ReLU and max-pool kinks, so a dense direction crosses
    /// some within any usable step; single coordinates with a tiny step (float64 reference)
    /// stay on one linear piece.
    @Test("named architectures: sampled coordinates of every slice match central differences (float64)")
    func architectureGradients() throws {
        let backend = try Kernels.backend(.swift)
        let cases: [(Network, Int, Int)] = [
            (try .logisticRegression(features: 64, classes: 10), 4, 6),
            (try .mlp(widths: [64, 32, 10]), 4, 6),
            (try .mlp(widths: [784, 256, 10]), 2, 4),
            (try .cnnMNIST(), 1, 2),
            (try .cnnFMNIST(), 1, 1),
        ]
        for (network, count, perSlice) in cases {
            let fixture = Fixture(network, count: count, seed: 31)
            let (loss, gradient) = try fixture.lossAndGradient(backend: backend)
            let reference = fixture.referenceLoss(fixture.parameters.map(Double.init))
            #expect(abs(Double(loss) - reference) < 1e-5 * max(1, abs(reference)), "\(network.name)")
            #expect(gradient.allSatisfy { $0.isFinite }, "\(network.name)")
            var stream = TestStream(seed: 77)
            for slice in network.slices {
                for _ in 0..<perSlice {
                    let i = slice.offset + Int((stream.next() + 1) * 0.5 * Float(slice.count)) % slice.count
                    var e = [Double](repeating: 0, count: network.parameterCount)
                    e[i] = 1
                    let fd = Self.centralDifference(fixture, direction: e, h: 1e-7)
                    let error = abs(Double(gradient[i]) - fd) / max(abs(fd), 1e-4)
                    #expect(error < 2e-3, "\(network.name) \(slice.name) coordinate \(i): \(gradient[i]) vs \(fd)")
                }
            }
        }
    }

    #if OpenBLAS
        @Test("OpenBLAS and Swift backends give the same gradient within 1e-5 (norm-wise)")
        func backendsAgree() throws {
            for network in [try Network.cnnMNIST(), try .mlp(widths: [64, 32, 10])] {
                let fixture = Fixture(network, count: 3, seed: 41)
                let a = try fixture.lossAndGradient(backend: Kernels.backend(.openblas))
                let b = try fixture.lossAndGradient(backend: Kernels.backend(.swift))
                #expect(relativeDifference(a.loss, b.loss) < 1e-5)
                #expect(normwiseRelativeDifference(a.gradient, b.gradient) < 1e-5, "\(network.name)")
            }
        }
    #endif

    /// CNN_MNIST's second convolution lowers one sample per im2col block, so a batch of 3 runs
    /// three blocks whose weight gradients accumulate; the result must be the mean of the
    /// single-sample gradients (each one block).
    @Test("blocked convolution backward: batch gradient = mean of single-sample gradients")
    func blockedBackward() throws {
        let network = try Network.cnnMNIST()
        let batch = Fixture(network, count: 3, seed: 51)
        let backend = try Kernels.backend(.swift)
        let (loss, gradient) = try batch.lossAndGradient(backend: backend)
        var mean = [Double](repeating: 0, count: network.parameterCount)
        var meanLoss = 0.0
        let ws = try network.makeWorkspace(batchSize: 1)
        var g = [Float](repeating: 0, count: network.parameterCount)
        for b in 0..<3 {
            let l = try batch.parameters.withUnsafeBufferPointer { p in
                try batch.inputs.withUnsafeBufferPointer { x in
                    try batch.labels.withUnsafeBufferPointer { y in
                        try g.withUnsafeMutableBufferPointer { gp in
                            try network.lossAndGradient(
                                parameters: p, inputs: UnsafeBufferPointer(rebasing: x[b * 784..<(b + 1) * 784]),
                                labels: UnsafeBufferPointer(rebasing: y[b..<b + 1]), count: 1, gradient: gp,
                                workspace: ws, backend: backend)
                        }
                    }
                }
            }
            meanLoss += Double(l) / 3
            for i in mean.indices { mean[i] += Double(g[i]) / 3 }
        }
        #expect(abs(Double(loss) - meanLoss) < 1e-5)
        #expect(normwiseRelativeDifference(gradient, mean.map(Float.init)) < 1e-5)
    }

    @Test("the gradient call overwrites the buffer and can be repeated on one workspace")
    func repeatable() throws {
        let fixture = Fixture(try .mlp(widths: [6, 5, 3]), count: 4, seed: 2)
        let backend = try Kernels.backend(.swift)
        let first = try fixture.lossAndGradient(backend: backend)
        let second = try fixture.lossAndGradient(backend: backend)
        #expect(first.loss == second.loss)
        #expect(first.gradient == second.gradient)
        #expect(first.gradient.allSatisfy { $0.isFinite })
    }
}
