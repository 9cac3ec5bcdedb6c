import HiSoKernels
import RealModule

/// A synthetic quadratic `f(x) = 1/2 (x - x*)ᵀ A (x - x*)` with a chosen spectrum, diagonal or
/// rotated, that reports its exact curvature so a learned preconditioner can be compared with it.
///
/// Construction (all random draws from the kernels' counter-based normal stream, so a problem is
/// a pure function of its ``Specification`` and identical on every backend up to the QR rounding):
/// - eigenvalues `λ` from the ``Spectrum``, scaled so that `max λ = 1` (so `L = 1`), unless the
///   specification asks for the unscaled spectrum (``Specification/normalized`` `false`);
/// - optimum `x* = z(seed, 0)` (standard normal); the natural start is `x0 = 0`;
/// - ``Basis/diagonal``: `A = diag(λ)`; ``Basis/rotated``: `A = Q diag(λ) Qᵀ` with `Q` the
///   orthonormal factor of the QR decomposition of a Gaussian `d x d` matrix `G = z(seed, 2)`
///   (row-major), computed by the backend's `qr(m:n:a:lda:q:ldq:r:ldr:)` (HiSoKernels)
///   (LAPACKE on OpenBLAS, Householder in Swift).
///
/// The rotated loss is `f(x) = 1/2 sum_i λ_i (y_i - y*_i)^2` with `y = Qᵀ x` (one GEMV) and
/// `y* = Qᵀ x*` precomputed, so a loss needs one `d`-float scratch and no `d x d` temporary.
///
/// Memory: `3 d` floats (diagonal) or `d^2 + 4 d` floats (rotated; 4 MB at `d = 1000`).
public struct QuadraticProblem: Sendable {
    /// The eigenvalue distribution, before scaling to `max λ = 1`.
    public enum Spectrum: Sendable, Codable, Equatable, CustomStringConvertible {
        /// `λ_i = 1`.
        case flat
        /// `λ_i = exp(sigma * z_i)`, `z = z(seed, 1)`.
        case logNormal(sigma: Float)
        /// `λ_i = (i + 1)^(-exponent)`, `i = 0 ..< d`.
        case powerLaw(exponent: Float)
        /// `rank` eigenvalues equal to `spike`, the other `d - rank` equal to 1 (a low-rank spike
        /// on the identity), then scaled by `1 / spike`.
        case spikedLowRank(rank: Int, spike: Float)

        /// The spectrum with its parameter, for tables.
        public var description: String {
            switch self {
            case .flat: return "flat"
            case .logNormal(let sigma): return "log-normal(sigma=\(sigma))"
            case .powerLaw(let exponent): return "power-law(exponent=\(exponent))"
            case .spikedLowRank(let rank, let spike): return "spiked(rank=\(rank), spike=\(spike))"
            }
        }
    }

    /// Whether `A` is diagonal or rotated by a random orthogonal `Q`.
    public enum Basis: String, Sendable, Codable, Equatable, CaseIterable {
        /// `A = diag(λ)`.
        case diagonal
        /// `A = Q diag(λ) Qᵀ` with a random orthogonal `Q`.
        case rotated
    }

    /// Everything a problem is a function of.
    public struct Specification: Sendable, Codable, Equatable {
        /// `d`.
        public var dimension: Int
        /// The eigenvalue distribution.
        public var spectrum: Spectrum
        /// Diagonal or rotated.
        public var basis: Basis
        /// The seed of `x*`, the log-normal draws and `G`.
        public var seed: UInt64
        /// Whether the eigenvalues are scaled to `max λ = 1` (`false`: the spectrum's own scale,
        /// `exp(sigma z_i)`, `(i + 1)^(-exponent)` or `spike` and 1).
        public var normalized: Bool

        /// Makes a specification.
        public init(dimension: Int, spectrum: Spectrum, basis: Basis = .diagonal, seed: UInt64, normalized: Bool = true) {
            self.dimension = dimension
            self.spectrum = spectrum
            self.basis = basis
            self.seed = seed
            self.normalized = normalized
        }

        private enum CodingKeys: String, CodingKey { case dimension, spectrum, basis, seed, normalized }

        /// Decodes a specification; a missing `normalized` means `true`.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                dimension: try c.decode(Int.self, forKey: .dimension), spectrum: try c.decode(Spectrum.self, forKey: .spectrum),
                basis: try c.decode(Basis.self, forKey: .basis), seed: try c.decode(UInt64.self, forKey: .seed),
                normalized: try c.decodeIfPresent(Bool.self, forKey: .normalized) ?? true)
        }
    }

    /// The specification this problem was built from.
    public let specification: Specification
    /// The eigenvalues `λ` of `A` (`max λ = 1`).
    public let eigenvalues: [Float]
    /// The optimum `x*`.
    public let optimum: [Float]
    /// `Q` (row-major `d x d`), or `nil` for a diagonal `A`.
    public let rotation: [Float]?
    /// `y* = Qᵀ x*` (rotated only; empty otherwise).
    let rotatedOptimum: [Float]
    /// The exact curvature diagonal `diag(A)`: `λ` (diagonal) or `A_ii = sum_j Q_ij^2 λ_j` (rotated).
    public let curvatureDiagonal: [Float]

    /// `d`.
    public var dimension: Int { specification.dimension }

    /// Builds a problem.
    ///
    /// - Throws: ``OptimError/invalidParameter(name:value:expected:)`` for `d < 1`, a negative or
    ///   non-finite `sigma` or `exponent`, `rank` outside `0 ... d`, or `spike < 1`.
    /// Complexity: O(d) diagonal; a `d x d` QR and `O(d^2)` otherwise.
    public init(_ specification: Specification, backend: any KernelBackend) throws(OptimError) {
        let d = specification.dimension
        guard d >= 1 else { throw .invalidParameter(name: "dimension", value: Double(d), expected: "at least 1") }
        let seed = specification.seed
        var lambda = try Self.eigenvalues(specification.spectrum, dimension: d, seed: seed, backend: backend)
        if !specification.normalized {
            let top = try Self.largestRawEigenvalue(specification.spectrum, dimension: d, seed: seed, backend: backend)
            lambda = lambda.map { $0 * top }
        }
        var xStar = [Float](repeating: 0, count: d)
        xStar.withUnsafeMutableBufferPointer { backend.fillNormal($0, seed: seed, stream: 0, offset: 0) }
        self.specification = specification
        eigenvalues = lambda
        optimum = xStar
        switch specification.basis {
        case .diagonal:
            rotation = nil
            rotatedOptimum = []
            curvatureDiagonal = lambda
        case .rotated:
            var gaussian = [Float](repeating: 0, count: d * d)
            gaussian.withUnsafeMutableBufferPointer { backend.fillNormal($0, seed: seed, stream: 2, offset: 0) }
            let q = backend.orthonormalQ(of: gaussian, rows: d, columns: d)
            var yStar = [Float](repeating: 0, count: d)
            q.withUnsafeBufferPointer { qb in
                xStar.withUnsafeBufferPointer { xb in
                    yStar.withUnsafeMutableBufferPointer { yb in
                        backend.gemv(
                            trans: true, m: d, n: d, alpha: 1, a: qb.baseAddress!, lda: d, x: xb.baseAddress!, beta: 0,
                            y: yb.baseAddress!)
                    }
                }
            }
            var diagonal = [Float](repeating: 0, count: d)
            for i in 0..<d {
                var acc = 0.0
                for j in 0..<d {
                    let v = Double(q[i * d + j])
                    acc += v * v * Double(lambda[j])
                }
                diagonal[i] = Float(acc)
            }
            rotation = q
            rotatedOptimum = yStar
            curvatureDiagonal = diagonal
        }
    }

    /// The largest eigenvalue of `spectrum` before scaling: `exp(sigma max z)`, 1, or `spike`.
    static func largestRawEigenvalue(
        _ spectrum: Spectrum, dimension d: Int, seed: UInt64, backend: any KernelBackend
    ) throws(OptimError) -> Float {
        switch spectrum {
        case .flat, .powerLaw:
            return 1
        case .logNormal(let sigma):
            var z = [Float](repeating: 0, count: d)
            z.withUnsafeMutableBufferPointer { backend.fillNormal($0, seed: seed, stream: 1, offset: 0) }
            return Float(Double.exp(Double(sigma) * Double(z.max()!)))
        case .spikedLowRank(let rank, let spike):
            return rank == 0 ? 1 : spike
        }
    }

    /// The scaled eigenvalues of `spectrum` (`max = 1`).
    static func eigenvalues(
        _ spectrum: Spectrum, dimension d: Int, seed: UInt64, backend: any KernelBackend
    ) throws(OptimError) -> [Float] {
        switch spectrum {
        case .flat:
            return [Float](repeating: 1, count: d)
        case .logNormal(let sigma):
            guard sigma.isFinite, sigma >= 0 else {
                throw .invalidParameter(name: "sigma", value: Double(sigma), expected: "a finite value >= 0")
            }
            var z = [Float](repeating: 0, count: d)
            z.withUnsafeMutableBufferPointer { backend.fillNormal($0, seed: seed, stream: 1, offset: 0) }
            let top = z.max()!
            return z.map { Float(Double.exp(Double(sigma) * Double($0 - top))) }
        case .powerLaw(let exponent):
            guard exponent.isFinite, exponent >= 0 else {
                throw .invalidParameter(name: "exponent", value: Double(exponent), expected: "a finite value >= 0")
            }
            return (0..<d).map { Float(Double.pow(Double($0 + 1), -Double(exponent))) }
        case .spikedLowRank(let rank, let spike):
            guard rank >= 0, rank <= d else {
                throw .invalidParameter(name: "rank", value: Double(rank), expected: "a value in 0 ... \(d)")
            }
            guard spike.isFinite, spike >= 1 else {
                throw .invalidParameter(name: "spike", value: Double(spike), expected: "a finite value >= 1")
            }
            let low = rank == 0 ? Float(1) : 1 / spike
            return (0..<d).map { $0 < rank ? 1 : low }
        }
    }
}
