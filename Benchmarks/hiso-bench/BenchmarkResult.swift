import HiSoKernels

/// One measured entry of a benchmark suite (one element of the JSON `results` array).
///
/// `ratio = value / floor` whenever a floor applies; the floor must be measured in the same run.
/// For a throughput unit (GFLOP/s, GB/s) a ratio near 1 means "as fast as the floor"; for a
/// time unit (ns/param, ms) the floor is a lower bound and a ratio near 1 means "at the bound".
struct BenchmarkResult: Codable, Sendable {
    /// The entry's name, for example `gemm`, `normals`, `zo_step_central`.
    var name: String
    /// The task the entry trains, for round timings (for example `digits`).
    var task: String?
    /// The method the entry runs, for round timings (for example `hiso`).
    var method: String?
    /// The backend that produced the value.
    var backend: BackendKind
    /// Threads used.
    var threads: Int
    /// The vector length, for vector kernels.
    var d: Int?
    /// The problem shape, for everything else (for example `64x784x256` = M x K x N).
    var shape: String?
    /// The measured value (median over the trials).
    var value: Double
    /// The unit of `value` (and of `floor`).
    var unit: String
    /// The floor or bound, measured in the same run, where one applies.
    var floor: Double?
    /// `value / floor`, present exactly when `floor` is.
    var ratio: Double?
    /// What the floor is (for example `sgemm_raw`, `rmw_bandwidth`).
    var floorName: String?
    /// How many timed trials the median is over.
    var trials: Int
    /// `(max - min) / median` over the trials' values: the run-to-run noise.
    var spread: Double

    /// Makes a result from a value and its trials; fills in `ratio` when `floor` is given.
    init(
        name: String, task: String? = nil, method: String? = nil, backend: BackendKind, threads: Int, d: Int? = nil,
        shape: String? = nil, value: Double, unit: String, floor: Double? = nil, floorName: String? = nil,
        trials: Int, spread: Double
    ) {
        self.name = name
        self.task = task
        self.method = method
        self.backend = backend
        self.threads = threads
        self.d = d
        self.shape = shape
        self.value = value
        self.unit = unit
        self.floor = floor
        self.ratio = floor.map { $0 > 0 ? value / $0 : .infinity }
        self.floorName = floor == nil ? nil : floorName
        self.trials = trials
        self.spread = spread
    }
}
