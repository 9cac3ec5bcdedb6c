import HiSoFederation

/// Everything that defines a task's data, model and batches (what `RunConfiguration` does not
/// hold): the task name, where the data lives, how it is split over clients, the batch size and
/// the quadratic's shape.
///
/// A task built from a specification is a pure function of it: partitions and the built-in
/// digits split use ``dataSeed`` (fixed across run seeds, as the peer's partitions are), never
/// the run seed.
public struct TaskSpecification: Codable, Sendable, Equatable {
    /// How the training data is split over clients.
    ///
    /// - ``iid``: a seeded shuffle cut into near-equal parts.
    /// - ``dirichlet``: per class, proportions over clients drawn from Dir(alpha).
    /// - ``peerDirichlet``: the peer's `dirichlet_split` (alpha scaled by class frequency, equal
    ///   client sizes), much more skewed than ``dirichlet`` for the same alpha.
    public enum PartitionKind: String, Codable, Sendable, CaseIterable {
        case iid
        case dirichlet
        case peerDirichlet = "peer-dirichlet"
    }

    /// The quadratic task's spectrum family (see HiSoOptim's `QuadraticProblem.Spectrum`).
    public enum SpectrumKind: String, Codable, Sendable, CaseIterable {
        case flat
        case logNormal = "log-normal"
        case powerLaw = "power-law"
        case spiked
    }

    /// The task.
    public var name: TaskName
    /// The data directory (digits-reference, sst2-minilm: required; Fashion-MNIST: `nil` = the system path).
    public var dataDirectory: String?
    /// sst2-minilm: the all-MiniLM-L6-v2 directory (`Utils/fetch-minilm`); required.
    public var modelDirectory: String?
    /// sst2-minilm: what is trained (`head`, `last-K`, `lora-R`, ...; `nil` = `head`).
    public var subset: String?
    /// sst2-minilm: use only the first this many training sentences (`nil` = all).
    public var trainLimit: Int?
    /// sst2-minilm, digits and the Fashion-MNIST tasks: training examples held out (before the client
    /// split) as the validation split that learning rates are chosen on (`nil` or 0 = none).
    public var validationCount: Int?
    /// sst2-minilm: the head every run starts from (a trained linear probe), `classes * (h + 1)`
    /// values; `nil` = a fresh head per run seed.
    public var initialHead: [Float]?
    /// sst2-minilm: training sentences whose loss each evaluation reports (`nil` = 512).
    public var evaluationTrainSample: Int?
    /// digits-reference: which partition file, `iid` or `dir0.5`.
    public var referenceSplit: String
    /// How to split the training data (ignored by digits-reference, which reads its partition).
    public var partition: PartitionKind
    /// Dirichlet concentration for the Dirichlet partitions.
    public var alpha: Double
    /// Seed of the partition and of the built-in digits train/test split.
    public var dataSeed: UInt64
    /// Mini-batch size per client step.
    public var batchSize: Int
    /// quadratic: dimension `d`.
    public var dimension: Int
    /// quadratic: spectrum family.
    public var spectrum: SpectrumKind
    /// quadratic: the family's parameter (log-normal sigma, power-law exponent, spike height).
    public var spectrumParameter: Double
    /// quadratic: rank of the spiked spectrum.
    public var spikeRank: Int
    /// quadratic: rotated (`A = Q diag Q^T`) instead of diagonal.
    public var rotated: Bool
    /// quadratic: per-client gradient-noise scale.
    public var noise: Double

    /// A specification with the task's defaults (digits: iid, batch 32; quadratic: d = 1000,
    /// log-normal sigma 1, diagonal, no noise; sst2-minilm: iid, head only, first 20,000 sentences).
    public init(name: TaskName) {
        self.name = name
        dataDirectory = nil
        modelDirectory = nil
        subset = name == .sst2Minilm ? "head" : nil
        trainLimit = name == .sst2Minilm ? 20_000 : nil
        validationCount = nil
        initialHead = nil
        evaluationTrainSample = nil
        referenceSplit = "iid"
        partition = name.usesFashionMNIST ? .dirichlet : .iid
        alpha = name.usesFashionMNIST ? 1 : 0.5
        dataSeed = 0
        batchSize = 32
        dimension = 1000
        spectrum = .logNormal
        spectrumParameter = 1
        spikeRank = 10
        rotated = false
        noise = 0
    }

    /// The default parameter of a spectrum family: sigma 1, exponent 1, spike 100 (0 for flat).
    public static func defaultParameter(_ spectrum: SpectrumKind) -> Double {
        switch spectrum {
        case .flat: return 0
        case .logNormal, .powerLaw: return 1
        case .spiked: return 100
        }
    }
}
