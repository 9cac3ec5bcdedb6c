import HiSoKernels

/// Zero-mean gradient noise for a quadratic: `f_ξ(x) = f(x) + scale * <ξ, x - x*>` with
/// `ξ = z(seed, 0)`, so `∇f_ξ = ∇f + scale * ξ` and `E f_ξ = f`.
///
/// A federated task derives `seed` from (client, round, step) to simulate per-client stochastic
/// gradients, or from the client alone for a fixed per-client shift.
public struct QuadraticNoise: Sendable, Codable, Equatable {
    /// The stream seed of `ξ`.
    public var seed: UInt64
    /// The noise scale (standard deviation per coordinate of the gradient noise).
    public var scale: Float

    /// Makes a noise term.
    public init(seed: UInt64, scale: Float) {
        self.seed = seed
        self.scale = scale
    }
}

extension QuadraticProblem {
    /// The scratch length the loss and gradient need: 0 (diagonal) or `d` (rotated).
    public var scratchCount: Int { rotation == nil ? 0 : dimension }

    /// `f(x) = 1/2 (x - x*)ᵀ A (x - x*)`, summed in `Double`, plus the optional noise term.
    ///
    /// - Parameters:
    ///   - x: `d` floats.
    ///   - noise: an optional ``QuadraticNoise``; its `ξ` is generated in 256-float chunks
    ///     (no `d`-sized temporary).
    ///   - scratch: ``scratchCount`` floats (overwritten).
    ///   - backend: the kernels (GEMV for the rotated case, the noise stream).
    /// Complexity: O(d) diagonal, one `d x d` GEMV rotated; plus one stream generation with noise.
    public func loss(
        _ x: UnsafeBufferPointer<Float>, noise: QuadraticNoise? = nil, scratch: UnsafeMutableBufferPointer<Float>,
        backend: any KernelBackend
    ) -> Float {
        precondition(x.count == dimension, "x has \(x.count) floats, the problem has d = \(dimension)")
        var sum = 0.0
        if let q = rotation {
            rotate(x, into: scratch, q: q, backend: backend)
            for i in 0..<dimension {
                let e = Double(scratch[i]) - Double(rotatedOptimum[i])
                sum += Double(eigenvalues[i]) * e * e
            }
        } else {
            for i in 0..<dimension {
                let e = Double(x[i]) - Double(optimum[i])
                sum += Double(eigenvalues[i]) * e * e
            }
        }
        var value = sum / 2
        if let noise, noise.scale != 0 {
            value += Double(noise.scale) * noiseInnerProduct(x, seed: noise.seed, backend: backend)
        }
        return Float(value)
    }

    /// ``loss(_:noise:scratch:backend:)`` on an array, allocating its own scratch.
    public func loss(_ x: [Float], noise: QuadraticNoise? = nil, backend: any KernelBackend) -> Float {
        var scratch = [Float](repeating: 0, count: scratchCount)
        return x.withUnsafeBufferPointer { xb in
            scratch.withUnsafeMutableBufferPointer { loss(xb, noise: noise, scratch: $0, backend: backend) }
        }
    }

    /// The exact gradient `A (x - x*)` (plus `scale * ξ` with noise) into `gradient`.
    ///
    /// Rotated: `y = Qᵀ x - y*`, `y <- λ ⊙ y`, `g = Q y` (two GEMVs, `y` in `scratch`).
    /// Complexity: O(d) diagonal, two GEMVs rotated. Memory: ``scratchCount`` floats of scratch.
    public func gradient(
        _ x: UnsafeBufferPointer<Float>, into gradient: UnsafeMutableBufferPointer<Float>,
        noise: QuadraticNoise? = nil, scratch: UnsafeMutableBufferPointer<Float>, backend: any KernelBackend
    ) {
        precondition(x.count == dimension && gradient.count == dimension, "gradient: length differs from d = \(dimension)")
        if let q = rotation {
            rotate(x, into: scratch, q: q, backend: backend)
            for i in 0..<dimension { scratch[i] = eigenvalues[i] * (scratch[i] - rotatedOptimum[i]) }
            q.withUnsafeBufferPointer { qb in
                backend.gemv(
                    trans: false, m: dimension, n: dimension, alpha: 1, a: qb.baseAddress!, lda: dimension,
                    x: scratch.baseAddress!, beta: 0, y: gradient.baseAddress!)
            }
        } else {
            for i in 0..<dimension { gradient[i] = eigenvalues[i] * (x[i] - optimum[i]) }
        }
        if let noise, noise.scale != 0 {
            var offset = 0
            withUnsafeTemporaryAllocation(of: Float.self, capacity: Self.chunk) { xi in
                while offset < dimension {
                    let n = min(Self.chunk, dimension - offset)
                    let part = UnsafeMutableBufferPointer(rebasing: xi[0..<n])
                    backend.fillNormal(part, seed: noise.seed, stream: 0, offset: offset)
                    for i in 0..<n { gradient[offset + i] += noise.scale * part[i] }
                    offset += n
                }
            }
        }
    }

    /// The suboptimality at the natural start `x0 = 0`: `f(0) = 1/2 x*ᵀ A x*`.
    public func initialLoss(backend: any KernelBackend) -> Float {
        loss([Float](repeating: 0, count: dimension), backend: backend)
    }

    /// The chunk length of the streamed noise vector.
    static let chunk = 256

    /// `y = Qᵀ x` into `scratch`.
    private func rotate(
        _ x: UnsafeBufferPointer<Float>, into scratch: UnsafeMutableBufferPointer<Float>, q: [Float],
        backend: any KernelBackend
    ) {
        precondition(scratch.count >= dimension, "scratch has \(scratch.count) floats, the rotated loss needs \(dimension)")
        q.withUnsafeBufferPointer { qb in
            backend.gemv(
                trans: true, m: dimension, n: dimension, alpha: 1, a: qb.baseAddress!, lda: dimension,
                x: x.baseAddress!, beta: 0, y: scratch.baseAddress!)
        }
    }

    /// `<ξ, x - x*>` in `Double`, `ξ` streamed in chunks.
    private func noiseInnerProduct(_ x: UnsafeBufferPointer<Float>, seed: UInt64, backend: any KernelBackend) -> Double {
        var sum = 0.0
        var offset = 0
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Self.chunk) { xi in
            while offset < dimension {
                let n = min(Self.chunk, dimension - offset)
                let part = UnsafeMutableBufferPointer(rebasing: xi[0..<n])
                backend.fillNormal(part, seed: seed, stream: 0, offset: offset)
                for i in 0..<n { sum += Double(part[i]) * (Double(x[offset + i]) - Double(optimum[offset + i])) }
                offset += n
            }
        }
        return sum
    }
}
