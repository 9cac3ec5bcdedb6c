/// The zeroth-order step kernels on a flat parameter vector, fused into few passes over memory:
/// the passes every trainer of the package runs (the federated clients, the centralised
/// optimizer, the quadratic lab) and that `hiso-bench kernels` measures.
///
/// **Estimate** (``estimate(at:scale:seed:mu:scheme:scalars:curvature:loss:)``): for `p = 0 ..< P`, the
/// perturbed point `w = x + mu * s ⊙ z(seed, p)` is written into the workspace in one pass
/// (`perturbed`), so `x` stays bit-exact and readable by other parties;
/// forward: `g_p = (f(w) - f(x)) / mu`, central: `g_p = (f(x + mu u) - f(x - mu u)) / (2 mu)`.
/// **In-place estimate** (``estimate(inPlace:scale:seed:mu:scheme:scalars:loss:)``): no workspace;
/// `x` walks `x + mu u_0`, back, `x + mu u_1`, ..., and the last restore is left to the update pass.
///
/// The single-direction **central step** along `u = s ⊙ z(seed, stream)` (`s = nil`: `u = z`):
/// 1. `x = x + mu * u` (pass 1), `f+ = loss(x)`;
/// 2. `x = x + (-2 mu) * u` (pass 2), `f- = loss(x)`;
/// 3. `g = (f+ - f-) / (2 mu)` and the fused restore-and-update `x = x + s * (0 + c * z)` with
///    `c = mu - eta * g` (pass 3), which leaves `x0 - eta * g * u` up to rounding.
///
/// The **forward step** (``DifferenceScheme/forward``) evaluates `f0 = loss(x)` first, perturbs
/// once and restores-and-updates with `g = (f+ - f0) / mu`, `c = -mu - eta * g` (two passes).
///
/// The **HiSo step** is the same with `s = H^(-1/2)`; its last pass also applies the peer-rule EMA
/// `h = beta * h + ((1 - beta) * d) * d` with `d = s * (0 + g * z)` (the step's update direction
/// `Delta`, docs/ALGORITHM.md) and, when a floor is given, refreshes `s = 1 / sqrt(max(h, floor))`,
/// all with the old `s`. Its bits equal ``PerturbationKernels/accumulate(_:coefficients:scale:seed:offset:)``,
/// ``PerturbationKernels/hessianEMA(_:scale:coefficients:seed:beta:offset:)`` and
/// ``PerturbationKernels/refreshScale(_:from:floor:)`` run one after another.
///
/// ## Backends
/// The step runs on the backend it is given. The package's backends opt into the fused
/// single-direction passes through an internal protocol (one per primitive, as swift-crypto's
/// backends do); any other ``KernelBackend`` (one written outside the package) runs the same
/// passes composed from its public ``PerturbationKernels``, with the same bits and one more
/// generation per step on stream `k` for each stream before `k`.
///
/// ## Direction modes and memory
/// - ``DirectionMode/cached`` (default): a workspace of `dimension` floats (allocated once in
///   `init`) holds the perturbed point of an estimate, or the direction `z` of a single-direction
///   step (pass 1 generates it, passes 2 and 3 read it back: one generation per step).
/// - ``DirectionMode/regenerate``: every pass regenerates `z`; no d-sized memory at all, three
///   generations per step (two for the forward step); estimates run in place.
///
/// Both modes give identical bits for single-direction steps, for every backend and thread
/// count. With one thread a step makes no heap allocation at all (the loss closure aside; see
/// `FusedAllocationTests`); with more, only what `DispatchQueue.concurrentPerform` itself needs.
/// The step owns its workspace, so it is not copyable; one instance per concurrent user.
/// `@unchecked Sendable`: the raw workspace pointer is owned uniquely by this non-copyable value
/// (moving it to another task moves the ownership), and no two callers can share it.
public struct FusedZOStep: ~Copyable, @unchecked Sendable {
    /// Where the passes after the first take `z` from.
    public enum DirectionMode: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Generate once into a reusable `dimension`-float workspace, read it back.
        case cached
        /// Regenerate in every pass; no workspace.
        case regenerate

        public var description: String { rawValue }
    }

    /// What a single-direction step measured.
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
    /// The backend the passes run on.
    public let backend: any KernelBackend

    private let fused: (any FusedStepKernels)?
    private let workspace: UnsafeMutableBufferPointer<Float>?

    /// Makes a step for vectors of `dimension` parameters on `backend`.
    ///
    /// Memory: `4 * dimension` bytes of workspace in ``DirectionMode/cached`` mode, none otherwise.
    public init(backend: any KernelBackend, dimension: Int, mode: DirectionMode = .cached) {
        precondition(dimension >= 0, "negative dimension \(dimension)")
        self.dimension = dimension
        self.mode = mode
        self.backend = backend
        fused = backend as? any FusedStepKernels
        if mode == .cached {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: dimension)
            buffer.initialize(repeating: 0)
            workspace = buffer
        } else {
            workspace = nil
        }
    }

    deinit { workspace?.deallocate() }

    /// Whether the backend runs the fused single-direction passes (else they are composed from
    /// its public kernels).
    public var isFused: Bool { fused != nil }

    /// Estimates the `P = scalars.count` projected gradients at `x` out of place (needs the
    /// ``DirectionMode/cached`` workspace; `x` is not modified).
    ///
    /// - Parameters:
    ///   - x: the `dimension` parameters.
    ///   - scale: optional `s` (`dimension` floats).
    ///   - seed: the step seed; direction `p` is stream `p`.
    ///   - mu: the smoothing radius.
    ///   - scheme: forward (`P + 1` losses) or central (`2 P` losses).
    ///   - scalars: receives `g_0 ..< g_P`.
    ///   - curvature: when given (central scheme only, `P` slots), also evaluates `f0 = f(x)` and
    ///     receives the second differences `c_p = ((f+ + f-) - 2 f0) / mu^2 ≈ u_pᵀ ∇²f u_p`.
    ///   - loss: the loss at a point.
    /// - Returns: `f(x)` (forward, or central with `curvature`) or the mean of `(f+ + f-) / 2`
    ///   over the directions (central without it).
    /// - Complexity: `P` passes (forward) or `2 P` passes (central) of one generation each; `P + 1`,
    ///   `2 P` or `2 P + 1` (central with curvature) loss calls.
    public func estimate(
        at x: UnsafeBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64, mu: Float,
        scheme: DifferenceScheme, scalars: UnsafeMutableBufferPointer<Float>,
        curvature: UnsafeMutableBufferPointer<Float>? = nil,
        loss: (UnsafeBufferPointer<Float>) throws -> Float
    ) rethrows -> Float {
        guard let workspace else { preconditionFailure("an out-of-place estimate needs the cached workspace") }
        precondition(x.count == dimension, "parameters have \(x.count) elements, step expects \(dimension)")
        precondition(scale == nil || scale!.count == x.count, "scale length differs from x")
        let point = UnsafeBufferPointer(workspace)
        precondition(curvature == nil || scheme == .central, "second differences need the central scheme")
        precondition(curvature.map { $0.count == scalars.count } ?? true, "curvature needs one slot per direction")
        switch scheme {
        case .forward:
            let base = try loss(x)
            for p in 0..<scalars.count {
                backend.perturbed(x, into: workspace, alpha: mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                scalars[p] = (try loss(point) - base) / mu
            }
            return base
        case .central:
            let base = curvature == nil ? nil : try loss(x)
            var mean: Float = 0
            for p in 0..<scalars.count {
                backend.perturbed(x, into: workspace, alpha: mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                let plus = try loss(point)
                backend.perturbed(x, into: workspace, alpha: -mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                let minus = try loss(point)
                scalars[p] = (plus - minus) / (2 * mu)
                mean += (plus + minus) / 2
                if let curvature, let base { curvature[p] = ((plus + minus) - 2 * base) / (mu * mu) }
            }
            return base ?? mean / Float(scalars.count)
        }
    }

    /// Estimates the `P = scalars.count` projected gradients in place: `x` is perturbed, measured
    /// and restored direction by direction, except the last direction, which is left on `x`.
    ///
    /// The caller restores it by adding the returned `restore` to the last stream's coefficient
    /// of its update pass (``PerturbationKernels/accumulate(_:coefficients:scale:seed:offset:)``),
    /// or alone with a coefficient vector that is `restore` on stream `P - 1`.
    ///
    /// - Returns: the loss value (as ``estimate(at:scale:seed:mu:scheme:scalars:curvature:loss:)``) and the
    ///   restore coefficient (`-mu` forward, `mu` central).
    /// - Complexity: `2 P - 1` (forward) or `3 P - 1` (central) passes of one generation each; no
    ///   memory.
    public func estimate(
        inPlace x: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64, mu: Float,
        scheme: DifferenceScheme, scalars: UnsafeMutableBufferPointer<Float>,
        loss: (UnsafeBufferPointer<Float>) throws -> Float
    ) rethrows -> (value: Float, restore: Float) {
        precondition(x.count == dimension, "parameters have \(x.count) elements, step expects \(dimension)")
        let count = scalars.count
        let point = UnsafeBufferPointer(x)
        switch scheme {
        case .forward:
            let value = try loss(point)
            for p in 0..<count {
                backend.perturb(x, alpha: mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                scalars[p] = (try loss(point) - value) / mu
                if p < count - 1 {
                    backend.perturb(x, alpha: -mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                }
            }
            return (value, -mu)
        case .central:
            var value: Float = 0
            for p in 0..<count {
                backend.perturb(x, alpha: mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                let plus = try loss(point)
                backend.perturb(x, alpha: -2 * mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                let minus = try loss(point)
                scalars[p] = (plus - minus) / (2 * mu)
                value += (plus + minus) / 2
                if p < count - 1 {
                    backend.perturb(x, alpha: mu, scale: scale, seed: seed, stream: UInt64(p), offset: 0)
                }
            }
            return (value / Float(count), mu)
        }
    }

    /// One step along `u = s ⊙ z(seed, stream)` with learning rate `learningRate`; `x` ends at
    /// `x - learningRate * g * u`.
    ///
    /// - Parameters:
    ///   - x: the `dimension` parameters, updated in place.
    ///   - scale: optional `s` (`dimension` floats).
    ///   - seed: the step seed.
    ///   - stream: the direction's stream `p`.
    ///   - mu: the smoothing radius.
    ///   - learningRate: `eta`.
    ///   - difference: central (default, three passes) or forward (two passes).
    ///   - loss: evaluates the loss at the current (perturbed) `x`.
    /// - Returns: `g` and the two loss values.
    /// Complexity: see ``DirectionMode``; plus two calls of `loss`.
    public func step(
        _ x: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64, stream: UInt64,
        mu: Float, learningRate: Float, difference: DifferenceScheme = .central,
        loss: (UnsafeBufferPointer<Float>) throws -> Float
    ) rethrows -> Outcome {
        let backend = self.backend
        let fused = self.fused
        return try run(x, scale: scale, seed: seed, stream: stream, mu: mu, difference: difference, loss: loss) { c, _, z in
            if let fused {
                fused.stepRestoreUpdate(x, coefficient: c(learningRate), scale: scale, direction: z)
            } else {
                Self.onStream(c(learningRate), stream) { backend.accumulate(x, coefficients: $0, scale: scale, seed: seed, offset: 0) }
            }
        }
    }

    /// One HiSo step: ``step(_:scale:seed:stream:mu:learningRate:difference:loss:)`` along
    /// `u = s ⊙ z` with `s = H^(-1/2)`, then the EMA of `h` and (with a `floor`) the refresh of `s`
    /// in the same last pass.
    ///
    /// - Parameters:
    ///   - x: the `dimension` parameters, updated in place.
    ///   - hessian: `h` (`dimension` floats), updated.
    ///   - scale: `s` (`dimension` floats), read, and refreshed when `floor` is not `nil`.
    ///   - seed: the step seed.
    ///   - stream: the direction's stream `p`.
    ///   - mu: the smoothing radius.
    ///   - learningRate: `eta`.
    ///   - beta: EMA weight of the old `h` (the peer uses 0.95).
    ///   - floor: `nil` to leave `s` alone (H frozen within a round), else the floor under `h`.
    ///   - difference: central (default) or forward.
    ///   - loss: evaluates the loss at the current (perturbed) `x`.
    /// - Returns: `g` and the two loss values.
    public func hisoStep(
        _ x: UnsafeMutableBufferPointer<Float>, hessian: UnsafeMutableBufferPointer<Float>,
        scale: UnsafeMutableBufferPointer<Float>, seed: UInt64, stream: UInt64, mu: Float, learningRate: Float,
        beta: Float, floor: Float?, difference: DifferenceScheme = .central,
        loss: (UnsafeBufferPointer<Float>) throws -> Float
    ) rethrows -> Outcome {
        let backend = self.backend
        let fused = self.fused
        return try run(
            x, scale: UnsafeBufferPointer(scale), seed: seed, stream: stream, mu: mu, difference: difference, loss: loss
        ) { c, g, z in
            if let fused {
                fused.stepHiSoUpdate(
                    x, hessian: hessian, scale: scale, restoreCoefficient: c(learningRate), updateCoefficient: g,
                    beta: beta, floor: floor, direction: z)
                return
            }
            let s = UnsafeBufferPointer(scale)
            Self.onStream(c(learningRate), stream) { backend.accumulate(x, coefficients: $0, scale: s, seed: seed, offset: 0) }
            Self.onStream(g, stream) {
                backend.hessianEMA(hessian, scale: s, coefficients: $0, seed: seed, beta: beta, offset: 0)
            }
            if let floor { backend.refreshScale(scale, from: UnsafeBufferPointer(hessian), floor: floor) }
        }
    }

    /// Calls `body` with the coefficient vector that is `c` on stream `k` and 0 on the streams
    /// before it; the zero terms leave a stream sum's bits unchanged (`0 + 0 * z = 0`).
    private static func onStream(_ c: Float, _ k: UInt64, _ body: (UnsafeBufferPointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Int(k) + 1) { coefficients in
            coefficients.initialize(repeating: 0)
            coefficients[Int(k)] = c
            body(UnsafeBufferPointer(coefficients))
        }
    }

    /// `x = x + alpha * s ⊙ z(seed, stream)`: the fused pass on `direction`, or the backend's
    /// public ``PerturbationKernels/perturb(_:alpha:scale:seed:stream:offset:)``.
    private func perturb(
        _ x: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?, seed: UInt64,
        stream: UInt64, direction: ZODirection
    ) {
        if let fused {
            fused.stepPerturb(x, alpha: alpha, scale: scale, direction: direction)
        } else {
            backend.perturb(x, alpha: alpha, scale: scale, seed: seed, stream: stream, offset: 0)
        }
    }

    /// The perturbation passes and loss calls shared by both steps; `last(c, g, z)` is the final
    /// pass, given the restore coefficient as a function of the learning rate, `g` and `z`.
    private func run(
        _ x: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64, stream: UInt64,
        mu: Float, difference: DifferenceScheme, loss: (UnsafeBufferPointer<Float>) throws -> Float,
        last: ((Float) -> Float, Float, ZODirection) -> Void
    ) rethrows -> Outcome {
        precondition(x.count == dimension, "parameters have \(x.count) elements, step expects \(dimension)")
        let generated = ZODirection.stream(seed: seed, stream: stream, offset: 0)
        let first: ZODirection
        let again: ZODirection
        if fused != nil, let workspace, let base = workspace.baseAddress {
            first = .record(seed: seed, stream: stream, offset: 0, into: base)
            again = .buffer(UnsafePointer(base))
        } else {
            first = generated
            again = generated
        }
        switch difference {
        case .central:
            perturb(x, alpha: mu, scale: scale, seed: seed, stream: stream, direction: first)
            let plus = try loss(UnsafeBufferPointer(x))
            perturb(x, alpha: -2 * mu, scale: scale, seed: seed, stream: stream, direction: again)
            let minus = try loss(UnsafeBufferPointer(x))
            let g = (plus - minus) / (2 * mu)
            last({ eta in mu - eta * g }, g, again)
            return Outcome(projectedGradient: g, lossPlus: plus, lossReference: minus)
        case .forward:
            let reference = try loss(UnsafeBufferPointer(x))
            perturb(x, alpha: mu, scale: scale, seed: seed, stream: stream, direction: first)
            let plus = try loss(UnsafeBufferPointer(x))
            let g = (plus - reference) / mu
            last({ eta in -mu - eta * g }, g, again)
            return Outcome(projectedGradient: g, lossPlus: plus, lossReference: reference)
        }
    }
}
