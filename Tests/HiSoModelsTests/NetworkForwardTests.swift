import Foundation
import HiSoKernels
import HiSoModels
import HiSoTestSupport
import Testing

@Suite("Forward pass")
struct NetworkForwardTests {
    @Test("every small architecture matches the naive float64 loops", arguments: [1, 3])
    func matchesNaiveReference(count: Int) throws {
        let backend = try Kernels.backend(.swift)
        for (name, network) in try SmallNetworks.all() {
            let fixture = Fixture(network, count: count, seed: 7)
            let logits = try fixture.logits(backend: backend)
            let reference = fixture.referenceLogits()
            #expect(logits.count == count * network.classCount, "\(name)")
            #expect(maxRelativeDifference(logits, reference, floor: 1e-2) < 1e-4, "\(name)")
        }
    }

    @Test("the named architectures match the naive float64 loops")
    func namedArchitectures() throws {
        let backend = try Kernels.backend(.swift)
        for network in [try Network.mlp(widths: [784, 256, 10]), try .cnnMNIST(), try .cnnFMNIST()] {
            let fixture = Fixture(network, count: 2, seed: 3)
            let logits = try fixture.logits(backend: backend)
            #expect(maxRelativeDifference(logits, fixture.referenceLogits(), floor: 1e-2) < 1e-4, "\(network.name)")
        }
    }

    /// Parameters `0.1 sin(i + 1)` and inputs `cos(0.7 j)`, rounded to float32: the values the
    /// recorded logits below were computed from.
    static func recordedFixture(_ network: Network, count: Int) -> (parameters: [Float], inputs: [Float]) {
        let p = (0..<network.parameterCount).map { Float(0.1 * sin(Double($0 + 1))) }
        let x = (0..<count * network.inputFeatures).map { Float(cos(0.7 * Double($0))) }
        return (p, x)
    }

    // Recorded values: computed independently with numpy in float64 from the float32-rounded
    // parameters and inputs of `recordedFixture` (P = float32(0.1*sin(arange(n)+1)),
    // X = float32(cos(0.7*arange(m))).reshape(B,C,H,W)), with
    //   conv: y[:,:,i,j] = einsum('bcuv,ocuv->bo', pad(X,p)[:,:,i*s:i*s+k,j*s:j*s+k], W) + b
    //   pool: x[:,:,:oh*k,:ow*k].reshape(B,C,oh,k,ow,k).max(axis=(3,5))
    //   linear: X @ W.T + b;  loss: mean(log(sum(exp(z-m))) + m - z[label]).
    @Test(
        "recorded logits and loss for fixed weights",
        arguments: [
            (
                "conv k3 p1, relu, pool, linear",
                [
                    Layer.conv2d(inChannels: 1, outChannels: 2, kernel: 3, padding: 1), .relu, .maxPool2d(kernel: 2),
                    .flatten, .linear(inputs: 8, outputs: 3),
                ],
                TensorShape(channels: 1, height: 4, width: 4), [Int32(1), 2],
                [
                    0.14825033413019004, 0.0030469956797781333, -0.025447299892317483,
                    0.13101616866792698, 0.03604014397456269, -0.017814141205531372,
                ], 1.154265229964357
            ),
            (
                "conv k3 s2 p1, linear",
                [
                    Layer.conv2d(inChannels: 2, outChannels: 2, kernel: 3, stride: 2, padding: 1), .flatten,
                    .linear(inputs: 18, outputs: 3),
                ],
                TensorShape(channels: 2, height: 5, width: 5), [Int32(0), 2],
                [
                    -0.11292442651370588, -0.03547495388797614, 0.07196176652520285,
                    -0.11261200994064033, -0.04941339060111173, 0.053241792155557605,
                ], 1.1002007937269154
            ),
            (
                "mlp 4-3-2",
                [Layer.linear(inputs: 4, outputs: 3), .relu, .linear(inputs: 3, outputs: 2)],
                TensorShape.flat(4), [Int32(0), 1, 1],
                [
                    -0.01330040849544189, -0.07482839652985569, -0.029011805799605668,
                    -0.05647810466500551, -0.012471798686166843, -0.07605539076496655,
                ], 0.6984250669828143
            ),
        ] as [(String, [Layer], TensorShape, [Int32], [Double], Double)])
    func recordedValues(
        _ name: String, layers: [Layer], shape: TensorShape, labels: [Int32], logits: [Double], loss: Double
    ) throws {
        let network = try Network(name: name, inputShape: shape, layers: layers)
        let count = labels.count
        let (p, x) = Self.recordedFixture(network, count: count)
        for kind in Kernels.compiledBackends {
            let backend = try Kernels.backend(kind)
            let ws = try network.makeWorkspace(batchSize: count)
            let got = try p.withUnsafeBufferPointer { pp in
                try x.withUnsafeBufferPointer { xp in
                    Array(
                        try network.forward(parameters: pp, inputs: xp, count: count, workspace: ws, backend: backend))
                }
            }
            #expect(maxRelativeDifference(got, logits.map(Float.init), floor: 1e-2) < 1e-5, "\(name) \(kind)")
            let e = try p.withUnsafeBufferPointer { pp in
                try x.withUnsafeBufferPointer { xp in
                    try labels.withUnsafeBufferPointer { lp in
                        try network.evaluate(
                            parameters: pp, inputs: xp, labels: lp, count: count, workspace: ws, backend: backend)
                    }
                }
            }
            #expect(relativeDifference(e.loss, Float(loss)) < 1e-5, "\(name) \(kind)")
        }
    }

    @Test("cross-entropy is stable for huge logits and accuracy counts arg-max hits")
    func crossEntropyStability() throws {
        let network = try Network.logisticRegression(features: 1, classes: 3)
        // Weights [1000, 0, -1000] and zero bias: logits = 1000 x * [1, 0, -1].
        let p: [Float] = [1000, 0, -1000, 0, 0, 0]
        let x: [Float] = [1, -1]
        let labels: [Int32] = [0, 0]
        let ws = try network.makeWorkspace(batchSize: 2)
        let e = try p.withUnsafeBufferPointer { pp in
            try x.withUnsafeBufferPointer { xp in
                try labels.withUnsafeBufferPointer { lp in
                    try network.evaluate(
                        parameters: pp, inputs: xp, labels: lp, count: 2, workspace: ws,
                        backend: Kernels.backend(.swift))
                }
            }
        }
        // Sample 0: loss log(1 + e^-1000 + e^-2000) = 0; sample 1: loss = 2000 (+ log1p(e^-1000)).
        #expect(e.loss.isFinite)
        #expect(abs(e.loss - 1000) < 1e-3)
        #expect(e.correct == 1)
        #expect(e.count == 2)
    }

    @Test("a smaller batch than the workspace capacity, and reuse of one workspace")
    func partialBatchAndReuse() throws {
        let network = try Network.cnnMNIST()
        let full = Fixture(network, count: 3, seed: 11)
        let backend = try Kernels.backend(.swift)
        let ws = try network.makeWorkspace(batchSize: 5)
        let all = try full.logits(backend: backend)
        for count in [3, 1, 3] {
            let got = try full.parameters.withUnsafeBufferPointer { pp in
                try full.inputs.withUnsafeBufferPointer { xp in
                    Array(
                        try network.forward(
                            parameters: pp, inputs: UnsafeBufferPointer(rebasing: xp[0..<count * 784]), count: count,
                            workspace: ws, backend: backend))
                }
            }
            #expect(got == Array(all[0..<count * 10]))
        }
    }

    @Test("thread count does not change the forward pass")
    func threadIndependence() throws {
        let fixture = Fixture(try Network.cnnMNIST(), count: 2, seed: 5)
        for kind in Kernels.compiledBackends {
            let one = try fixture.logits(backend: Kernels.backend(kind, threads: 1))
            let two = try fixture.logits(backend: Kernels.backend(kind, threads: 2))
            #expect(normwiseRelativeDifference(one, two) < 1e-6, "\(kind)")
        }
    }

    #if OpenBLAS
        /// Norm-wise over all logits of the batch (elementwise relative errors of logits that are
        /// near zero by cancellation measure the cancellation, not the backends).
        @Test("OpenBLAS and Swift backends agree on whole forward passes within 1e-5")
        func backendsAgree() throws {
            let networks =
                [try Network.mlp(widths: [784, 256, 10]), try .cnnMNIST(), try .cnnFMNIST()]
                + (try SmallNetworks.all().map(\.1))
            for network in networks {
                let fixture = Fixture(network, count: 4, seed: 9)
                let a = try fixture.logits(backend: Kernels.backend(.openblas))
                let b = try fixture.logits(backend: Kernels.backend(.swift))
                #expect(normwiseRelativeDifference(a, b) < 1e-5, "\(network.name)")
                let la = try fixture.evaluate(backend: Kernels.backend(.openblas)).loss
                let lb = try fixture.evaluate(backend: Kernels.backend(.swift)).loss
                #expect(relativeDifference(la, lb) < 1e-5, "\(network.name)")
            }
        }
    #endif

    /// Inference pools each im2col block as soon as its GEMM is done (the block's output in
    /// cache); backpropagation keeps the whole pre-pooling output. Both must give the same bits.
    @Test("block-wise pooling (inference) and whole-batch pooling (training) give the same loss bits",
          arguments: Kernels.compiledBackends)
    func blockwisePoolingMatchesTrainingPath(kind: BackendKind) throws {
        let backend = try Kernels.backend(kind, threads: 1)
        let networks = try SmallNetworks.all().map(\.1) + [try Network.cnnMNIST()]
        for network in networks {
            let fixture = Fixture(network, count: 9, seed: 61)
            let inference = try fixture.evaluate(backend: backend).loss
            let training = try fixture.lossAndGradient(backend: backend).loss
            #expect(inference.bitPattern == training.bitPattern, "\(network.name) on \(kind)")
        }
    }
}
