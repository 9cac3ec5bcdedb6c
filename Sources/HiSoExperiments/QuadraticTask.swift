import HiSoFederation
import HiSoKernels
import HiSoOptim

/// A `FederatedTask` over a HiSoOptim `QuadraticProblem`: every client sees
/// `f_i(x; xi) = f(x) + sigma <xi, x - x*>` with a fresh noise direction `xi` per
/// (run seed, client, round, step), so client gradients are unbiased and noisy.
///
/// The start is `x0 = 0` (whatever the seed), so the initial suboptimality is
/// `QuadraticProblem.initialLoss(backend:)`. Evaluation reports the noise-free
/// suboptimality `f(x) - f* = f(x)` as both test and train loss (no accuracy).
///
/// Memory: the problem (`3 d` floats diagonal, `d^2 + 4 d` rotated) plus `d` floats of scratch
/// when rotated.
public final class QuadraticTask: FederatedTask {
    /// The problem.
    public let problem: QuadraticProblem
    /// `M`.
    public let clientCount: Int
    /// `sigma`, the per-client gradient-noise scale (0 = exact gradients).
    public let noiseScale: Float
    /// The kernels.
    public let backend: any KernelBackend
    private var scratch: [Float]

    /// Creates the task.
    ///
    /// - Throws: `FederationError.taskMismatch(what:expected:found:)` for `clients < 1` or a
    ///   negative or non-finite noise scale.
    public init(problem: QuadraticProblem, clients: Int, noiseScale: Float, backend: any KernelBackend) throws(FederationError) {
        guard clients >= 1 else { throw .taskMismatch(what: "client count", expected: "at least 1", found: "\(clients)") }
        guard noiseScale.isFinite && noiseScale >= 0 else {
            throw .taskMismatch(what: "noise scale", expected: "a finite value >= 0", found: "\(noiseScale)")
        }
        self.problem = problem
        clientCount = clients
        self.noiseScale = noiseScale
        self.backend = backend
        scratch = [Float](repeating: 0, count: problem.scratchCount)
    }

    /// `d`.
    public var parameterCount: Int { problem.dimension }
    /// Always true (the exact gradient plus the noise).
    public var supportsGradient: Bool { true }

    /// The noise of one batch: seed `mix(mix(mix(seed ^ client-tag) + round) + step)`.
    public func noise(for key: BatchKey) -> QuadraticNoise {
        let clientSeed = SplitMix64.mix(key.seed ^ (UInt64(key.client + 1) &* 0xD1B5_4A32_D192_ED03))
        return QuadraticNoise(seed: StepSeed.derive(runSeed: clientSeed, round: key.round, step: key.step), scale: noiseScale)
    }

    /// `x0 = 0`.
    public func initialParameters(seed: UInt64, into x: UnsafeMutableBufferPointer<Float>) {
        x.initialize(repeating: 0)
    }

    /// `f(x) + sigma <xi, x - x*>`.
    public func loss(at x: UnsafeBufferPointer<Float>, batch: BatchKey) throws -> Float {
        let noise = noise(for: batch)
        let backend = self.backend
        return scratch.withUnsafeMutableBufferPointer { problem.loss(x, noise: noise, scratch: $0, backend: backend) }
    }

    /// The loss and its exact gradient `A (x - x*) + sigma xi`.
    public func lossAndGradient(
        at x: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>, batch: BatchKey
    ) throws -> Float {
        let noise = noise(for: batch)
        let backend = self.backend
        return scratch.withUnsafeMutableBufferPointer { s in
            problem.gradient(x, into: gradient, noise: noise, scratch: s, backend: backend)
            return problem.loss(x, noise: noise, scratch: s, backend: backend)
        }
    }

    /// The noise-free suboptimality as test and train loss.
    public func evaluate(at x: UnsafeBufferPointer<Float>) throws -> TaskEvaluation {
        let backend = self.backend
        let value = Double(scratch.withUnsafeMutableBufferPointer { problem.loss(x, scratch: $0, backend: backend) })
        return TaskEvaluation(testAccuracy: nil, testLoss: value, trainLoss: value)
    }
}
