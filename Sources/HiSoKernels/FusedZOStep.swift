/// One zeroth-order step on a flat parameter vector, fused into few passes over memory.
///
/// The **central step** along `u = s ⊙ z(seed, stream)` (`s = nil`: `u = z`):
/// 1. `x = x + mu * u` (pass 1), `f+ = loss(x)`;
/// 2. `x = x + (-2 mu) * u` (pass 2), `f- = loss(x)`;
/// 3. `g = (f+ - f-) / (2 mu)` and the fused restore-and-update `x = x + s * (0 + c * z)` with
///    `c = mu - eta * g` (pass 3), which leaves `x0 - eta * g * u` up to rounding.
///
/// The **forward step** (``Difference/forward``) evaluates `f0 = loss(x)` first, perturbs once
/// and restores-and-updates with `g = (f+ - f0) / mu`, `c = -mu - eta * g` (two passes).
///
/// The **HiSo step** is the same with `s = H^(-1/2)`; its last pass also applies the peer-rule EMA
/// `h = beta * h + ((1 - beta) * d) * d` with `d = s * (0 + g * z)` (the step's update direction
/// `Delta`, ALGORITHM.md) and, when a floor is given, refreshes `s = 1 / sqrt(max(h, floor))`, all
/// with the old `s`. Its bits equal ``PerturbationKernels/accumulate(_:coefficients:scale:seed:offset:)``,
/// ``PerturbationKernels/hessianEMA(_:scale:coefficients:seed:beta:offset:)`` and
/// ``PerturbationKernels/refreshScale(_:from:floor:)`` run one after another.
///
/// ## Direction modes and memory
/// - ``DirectionMode/cached`` (default): pass 1 generates `z` chunk by chunk, uses it and stores
///   it in a workspace of `dimension` floats (4 bytes per parameter, allocated once in `init`);
///   passes 2 and 3 read it back. One generation per step: the fastest mode, because a normal
///   costs more than reading 4 bytes.
/// - ``DirectionMode/regenerate``: every pass regenerates `z`; no d-sized memory at all, three
///   generations per step (two for the forward step).
///
/// Both modes give identical bits, for every backend and thread count. With one thread a step
/// makes no heap allocation at all (the loss closure aside; see `FusedAllocationTests`); with
/// more, only what `DispatchQueue.concurrentPerform` itself needs.
/// Not thread-safe: one instance per concurrent user (it owns a workspace).
public final class FusedZOStep {
    /// Where the passes after the first take `z` from.
    public enum DirectionMode: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Generate once into a reusable `dimension`-float workspace, read it back.
        case cached
        /// Regenerate in every pass; no workspace.
        case regenerate

        public var description: String { rawValue }
    }

    /// The finite-difference scheme.
    public enum Difference: String, Sendable, CaseIterable {
        /// `(f(x + mu u) - f(x - mu u)) / (2 mu)`: three passes.
        case central
        /// `(f(x + mu u) - f(x)) / mu`: two passes (the peer's HiSo scheme).
        case forward
    }

    /// What a step measured.
    public struct Outcome: Sendable, Equatable {
        /// The projected gradient `g` (directional derivative estimate along `u`).
        public let projectedGradient: Float
        /// `f(x + mu u)`.
        public let lossPlus: Float
        /// `f(x - mu u)` (central) or `f(x)` (forward).
        public let lossReference: Float
    }

    /// The parameter count the step works on.
    public let dimension: Int
    /// The direction mode.
    public let mode: DirectionMode
    /// The kernel backend kind and its thread count.
    public let backendKind: BackendKind
    /// Threads used by the passes.
    public let threads: Int

    private let kernels: any FusedStepKernels
    private let workspace: UnsafeMutableBufferPointer<Float>?

    /// Makes a step for vectors of `dimension` parameters on `backend`'s kind and thread count.
    ///
    /// Memory: `4 * dimension` bytes of workspace in ``DirectionMode/cached`` mode, none otherwise.
    public init(backend: any KernelBackend, dimension: Int, mode: DirectionMode = .cached) {
        precondition(dimension >= 0, "negative dimension \(dimension)")
        self.dimension = dimension
        self.mode = mode
        self.backendKind = backend.kind
        self.threads = backend.threads
        switch backend.kind {
        case .swift:
            kernels = SwiftBackend(threads: backend.threads)
        case .openblas:
            #if OpenBLAS
            kernels = OpenBLASBackend(threads: backend.threads)
            #else
            preconditionFailure("an OpenBLAS backend exists only in builds with the OpenBLAS trait")
            #endif
        }
        if mode == .cached {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: dimension)
            buffer.initialize(repeating: 0)
            workspace = buffer
        } else {
            workspace = nil
        }
    }

    deinit { workspace?.deallocate() }

    /// One step along `u = s ⊙ z(seed, stream)` with learning rate `learningRate`; `x` ends at
    /// `x - learningRate * g * u`.
    ///
    /// - Parameters:
    ///   - x: the `dimension` parameters, updated in place.
    ///   - scale: optional `s` (`dimension` floats).
    ///   - loss: evaluates the loss at the current (perturbed) `x`.
    /// - Returns: `g` and the two loss values.
    /// Complexity: see ``DirectionMode``; plus two calls of `loss`.
    public func step(
        _ x: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64, stream: UInt64,
        mu: Float, learningRate: Float, difference: Difference = .central,
        loss: (UnsafeBufferPointer<Float>) throws -> Float
    ) rethrows -> Outcome {
        try run(x, scale: scale, seed: seed, stream: stream, mu: mu, difference: difference, loss: loss) { c, _, z in
            kernels.stepRestoreUpdate(x, coefficient: c(learningRate), scale: scale, direction: z)
        }
    }

    /// One HiSo step: ``step(_:scale:seed:stream:mu:learningRate:difference:loss:)`` along
    /// `u = s ⊙ z` with `s = H^(-1/2)`, then the EMA of `h` and (with a `floor`) the refresh of `s`
    /// in the same last pass.
    ///
    /// - Parameters:
    ///   - hessian: `h` (`dimension` floats), updated.
    ///   - scale: `s` (`dimension` floats), read, and refreshed when `floor` is not `nil`.
    ///   - beta: EMA weight of the old `h` (the peer uses 0.95).
    ///   - floor: `nil` to leave `s` alone (H frozen within a round), else the floor under `h`.
    public func hisoStep(
        _ x: UnsafeMutableBufferPointer<Float>, hessian: UnsafeMutableBufferPointer<Float>,
        scale: UnsafeMutableBufferPointer<Float>, seed: UInt64, stream: UInt64, mu: Float, learningRate: Float,
        beta: Float, floor: Float?, difference: Difference = .central,
        loss: (UnsafeBufferPointer<Float>) throws -> Float
    ) rethrows -> Outcome {
        try run(
            x, scale: UnsafeBufferPointer(scale), seed: seed, stream: stream, mu: mu, difference: difference, loss: loss
        ) { c, g, z in
            kernels.stepHiSoUpdate(
                x, hessian: hessian, scale: scale, restoreCoefficient: c(learningRate), updateCoefficient: g,
                beta: beta, floor: floor, direction: z)
        }
    }

    /// The perturbation passes and loss calls shared by both steps; `last(c, g, z)` is the final
    /// pass, given the restore coefficient as a function of the learning rate, `g` and `z`.
    private func run(
        _ x: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64, stream: UInt64,
        mu: Float, difference: Difference, loss: (UnsafeBufferPointer<Float>) throws -> Float,
        last: ((Float) -> Float, Float, ZODirection) -> Void
    ) rethrows -> Outcome {
        precondition(x.count == dimension, "parameters have \(x.count) elements, step expects \(dimension)")
        let generated = ZODirection.stream(seed: seed, stream: stream, offset: 0)
        let first: ZODirection
        let again: ZODirection
        if let workspace, let base = workspace.baseAddress {
            first = .record(seed: seed, stream: stream, offset: 0, into: base)
            again = .buffer(UnsafePointer(base))
        } else {
            first = generated
            again = generated
        }
        switch difference {
        case .central:
            kernels.stepPerturb(x, alpha: mu, scale: scale, direction: first)
            let plus = try loss(UnsafeBufferPointer(x))
            kernels.stepPerturb(x, alpha: -2 * mu, scale: scale, direction: again)
            let minus = try loss(UnsafeBufferPointer(x))
            let g = (plus - minus) / (2 * mu)
            last({ eta in mu - eta * g }, g, again)
            return Outcome(projectedGradient: g, lossPlus: plus, lossReference: minus)
        case .forward:
            let reference = try loss(UnsafeBufferPointer(x))
            kernels.stepPerturb(x, alpha: mu, scale: scale, direction: first)
            let plus = try loss(UnsafeBufferPointer(x))
            let g = (plus - reference) / mu
            last({ eta in -mu - eta * g }, g, again)
            return Outcome(projectedGradient: g, lossPlus: plus, lossReference: reference)
        }
    }
}
