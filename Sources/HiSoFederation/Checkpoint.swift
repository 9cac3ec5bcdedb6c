import HiSoOptim

/// Everything needed to resume a run bit for bit: the configuration, the initial-model seed, the
/// round log and the bookkeeping (ledger, curve, client sync rounds, exclusions).
///
/// Scalar-only methods are resumed by replaying ``records`` from the initial model (built from
/// ``initialModelSeed``), which reproduces `x` and `H` bit for bit; the optional ``hessian``
/// snapshot is then checked against the replayed H. The full-vector baselines store their
/// model and server-optimizer state in ``vectors`` instead.
///
/// Format: JSON (``format`` = 1; ``provenance`` is optional, so older files still read); float vectors are base64 of little-endian float32
/// (``FloatVector``). Written atomically by ``write(to:)``.
public struct Checkpoint: Codable, Sendable, Equatable {
    /// The checkpoint format version.
    public var format: Int = 1
    /// The run's configuration.
    public var configuration: RunConfiguration
    /// The seed the initial model was drawn with (`FederatedTask.initialParameters(seed:into:)`).
    public var initialModelSeed: UInt64
    /// Rounds completed.
    public var completedRounds: Int
    /// Every round record `0 ..< completedRounds` (scalar-only methods; empty otherwise).
    public var records: [RoundRecord]
    /// The first round the server's log still held.
    public var logFirstRound: UInt64
    /// Each client's sync round.
    public var syncRounds: [UInt64]
    /// The ledger so far.
    public var ledger: CommunicationLedger
    /// The curve so far.
    public var curve: [CurvePoint]
    /// The exclusions so far.
    public var exclusions: [Exclusion]
    /// Wall seconds spent so far (the resumed curve continues from it).
    public var wallSeconds: Double
    /// Optional snapshot of HiSo's H at ``completedRounds`` (checked on resume).
    public var hessian: FloatVector?
    /// Full-vector state of the baselines: `"x"`, and `"m"`, `"v"` for the adaptive methods.
    public var vectors: [String: FloatVector]
    /// The code that wrote it (package version, backend, threads); `nil` in checkpoints written
    /// before it was recorded. Resuming tools check it with ``RunProvenance/mismatch(resuming:)``.
    public var provenance: RunProvenance?

    /// Creates a checkpoint.
    public init(
        configuration: RunConfiguration, initialModelSeed: UInt64, completedRounds: Int, records: [RoundRecord],
        logFirstRound: UInt64, syncRounds: [UInt64], ledger: CommunicationLedger, curve: [CurvePoint],
        exclusions: [Exclusion], wallSeconds: Double, hessian: FloatVector?, vectors: [String: FloatVector],
        provenance: RunProvenance? = nil
    ) {
        self.configuration = configuration
        self.initialModelSeed = initialModelSeed
        self.completedRounds = completedRounds
        self.records = records
        self.logFirstRound = logFirstRound
        self.syncRounds = syncRounds
        self.ledger = ledger
        self.curve = curve
        self.exclusions = exclusions
        self.wallSeconds = wallSeconds
        self.hessian = hessian
        self.vectors = vectors
        self.provenance = provenance
    }
}
