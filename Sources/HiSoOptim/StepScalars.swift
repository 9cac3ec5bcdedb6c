/// The scalars of one local step: everything any party needs to replay it.
///
/// Memory: `P` floats, plus `m * P` when the per-client scalars travel (HiSo's paper rule), plus
/// `P` when the second differences travel (`hiso-curv`).
public struct StepScalars: Codable, Sendable, Equatable {
    /// The step seed (``StepSeed/derive(runSeed:round:step:)``).
    public var seed: UInt64
    /// The learning rate the step was applied with.
    public var learningRate: Float
    /// The aggregated scalars `gbar_p`, `p = 0 ..< P`.
    public var aggregated: [Float]
    /// The per-client scalars `g^(i)_p` (`m` rows of `P`), present only when the preconditioner
    /// needs them (``Preconditioner/needsPerClientScalars``).
    public var perClient: [[Float]]?
    /// The aggregated second differences `cbar_p`, `p = 0 ..< P`, present only when the
    /// preconditioner learns from them (``Preconditioner/needsCurvatureScalars``).
    public var curvature: [Float]?

    /// Makes the record of one step.
    public init(
        seed: UInt64, learningRate: Float, aggregated: [Float], perClient: [[Float]]? = nil, curvature: [Float]? = nil
    ) {
        self.seed = seed
        self.learningRate = learningRate
        self.aggregated = aggregated
        self.perClient = perClient
        self.curvature = curvature
    }
}
