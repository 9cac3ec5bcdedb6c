import HiSoKernels

/// A fixed diagonal preconditioner given by the task (for example a quadratic's exact `diag(A)`):
/// `s = 1 / sqrt(D)`, never updated.
///
/// It is the research upper bound a learned diagonal can hope for. Memory: `2 d` floats.
public struct OracleDiagonalPreconditioner: Preconditioner, Codable, Equatable {
    /// The diagonal `D` (`d` floats, positive).
    public let diagonal: [Float]
    /// `s = 1 / sqrt(D)`.
    public let inverseSquareRoot: [Float]

    /// Makes the oracle from a diagonal.
    ///
    /// - Throws: ``OptimError/invalidParameter(name:value:expected:)`` when `diagonal` is empty or
    ///   an entry is not positive and finite.
    public init(diagonal: [Float]) throws(OptimError) {
        guard !diagonal.isEmpty else {
            throw .invalidParameter(name: "dimension", value: 0, expected: "at least 1")
        }
        if let bad = diagonal.firstIndex(where: { !$0.isFinite || $0 <= 0 }) {
            throw .invalidParameter(
                name: "diagonal[\(bad)]", value: Double(diagonal[bad]), expected: "a positive finite value")
        }
        self.diagonal = diagonal
        inverseSquareRoot = diagonal.map { 1 / $0.squareRoot() }
    }

    private enum CodingKeys: String, CodingKey { case diagonal }

    /// Decodes the diagonal and recomputes the scale (validated as ``init(diagonal:)``).
    public init(from decoder: any Decoder) throws {
        try self.init(diagonal: try decoder.container(keyedBy: CodingKeys.self).decode([Float].self, forKey: .diagonal))
    }

    /// Encodes the diagonal.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(diagonal, forKey: .diagonal)
    }

    /// `1 / sqrt(D)`.
    public var scale: [Float]? { inverseSquareRoot }
    /// `D`.
    public var hessian: [Float]? { diagonal }
    /// Always `false`.
    public var needsPerClientScalars: Bool { false }

    /// Does nothing: the oracle is fixed.
    public mutating func update(after record: RoundRecord, backend: any KernelBackend) throws(OptimError) {}
}
