import Foundation
import Testing

// The code between the snippet markers is shown verbatim in
// Sources/HiSoOptim/HiSoOptim.docc/GettingStarted.md; `articleShowsTheExample` checks that.
// snippet-start
import HiSoKernels
import HiSoOptim

/// A user's own model: linear least squares `y ≈ w · a + b`, parameters `[w..., b]` in one buffer.
struct LinearModel {
    let features: Int

    /// One mini-batch: `count` rows of `features` inputs and their targets.
    struct Batch {
        var inputs: [Float]
        var targets: [Float]
    }

    /// The mean squared error on `batch`, read straight from the optimizer's buffer.
    func loss(_ parameters: UnsafeBufferPointer<Float>, _ batch: Batch) -> Float {
        var total: Float = 0
        for (row, target) in batch.targets.enumerated() {
            var prediction = parameters[features]
            for j in 0..<features { prediction += parameters[j] * batch.inputs[row * features + j] }
            total += (prediction - target) * (prediction - target)
        }
        return total / Float(batch.targets.count)
    }
}

/// Trains the model with centralised HiSo and returns (first loss, last loss).
func trainLinearModel() throws -> (first: Float, last: Float) {
    let model = LinearModel(features: 4)
    let truth: [Float] = [0.5, -1, 2, 0.25, 0.3]
    // Deterministic batches from the kernels' seeded normal stream.
    let backend = try Kernels.backend()
    func batch(_ round: Int) -> LinearModel.Batch {
        var inputs = [Float](repeating: 0, count: 16 * model.features)
        inputs.withUnsafeMutableBufferPointer { backend.fillNormal($0, seed: 7, stream: UInt64(round), offset: 0) }
        let targets = (0..<16).map { row in
            (0..<model.features).reduce(truth[model.features]) { $0 + truth[$1] * inputs[row * model.features + $1] }
        }
        return LinearModel.Batch(inputs: inputs, targets: targets)
    }

    var optimizer = try ZOOptimizer(
        dimension: model.features + 1,
        estimator: try ZOEstimator(perturbations: 4, mu: 1e-3, scheme: .central),
        schedule: .cosine(initial: 0.02, total: 600, floor: 0.002),
        runSeed: 42,
        preconditioner: try HiSoPreconditioner(dimension: model.features + 1, rule: .peerDefault, floor: 1e-6),
        backend: backend)
    var parameters = [Float](repeating: 0, count: model.features + 1)
    var first: Float = 0, last: Float = 0
    for round in 0..<600 {
        let report = try optimizer.step(&parameters, batch: batch(round)) { p, b in model.loss(p, b) }
        if round == 0 { first = report.loss }
        last = report.loss
    }
    return (first, last)
}
// snippet-end

@Suite("Embedding example")
struct EmbeddingExampleTests {
    @Test("a user's own Swift model trains with the centralised ZO optimizer")
    func trains() throws {
        let (first, last) = try trainLinearModel()
        #expect(last < 0.05 * first, "first \(first), last \(last)")
    }

    @Test("the DocC article shows this example verbatim")
    func articleShowsTheExample() throws {
        let here = URL(fileURLWithPath: #filePath)
        let source = try String(contentsOf: here, encoding: .utf8)
        let start = try #require(source.range(of: "// snippet-start\n"))
        let end = try #require(source.range(of: "// snippet-end\n"))
        let snippet = String(source[start.upperBound..<end.lowerBound])
        let article = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/HiSoOptim/HiSoOptim.docc/GettingStarted.md")
        let text = try String(contentsOf: article, encoding: .utf8)
        #expect(text.contains("```swift\n" + snippet + "```"))
    }
}
