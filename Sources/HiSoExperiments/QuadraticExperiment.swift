import HiSoKernels
import HiSoOptim

/// The quadratic lab: rounds for HiSo (peer, paper and curvature rules), DeComFL and the
/// oracle diagonal to reach a fraction of the initial suboptimality on synthetic quadratics, with
/// a per-method learning rate chosen from a grid, and how well the learned `H` matches `diag(A)`.
///
/// Formulation: full-participation federation with `m` clients (default `m = 1`, which is the
/// centralised MeZO/HiSo optimizer and gives exactly the bits of `ZOOptimizer`), one local step
/// per round, mean aggregation. Client `i` measures its scalars on
/// `f_i(x) = f(x) + sigma <ξ_{i,r}, x - x*>` (fresh zero-mean noise per client and round when
/// `noiseScale > 0`), all clients with the round's shared seed. Every run starts at `x0 = 0`;
/// "rounds to target" is the first round after which the exact, noise-free `f(x) <= target * f(x0)`.
/// A run diverges when `f` is not finite or exceeds `1e4 f(x0)`, or a scalar is not finite; it
/// stalls (and stops, not reaching the target) when `f >= f(x0)` after `stallRounds` rounds.
///
/// Learning-rate selection, per (spectrum, method), on ``Configuration/tuningSeeds`` seeds that
/// are never reported: the grid is scanned from the largest rate down; at each rate all tuning
/// seeds run, and among the rates at which no tuning seed diverged, the one with the smallest
/// median rounds wins (a seed that does not reach the target counts as infinitely slow; a tie
/// keeps the larger rate, found first). Once a best median `B` exists, runs are cut at `3 B`
/// rounds (they could not win) and the scan stops at the first rate whose median exceeds `2 B`
/// with no run diverged or stalled (smaller rates are slower still for a stable SGD). The reported
/// seeds then run at the chosen rate with the full budget.
public enum QuadraticExperiment {
    /// The compared methods.
    public enum Method: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
        /// DeComFL: identity preconditioner.
        case decomfl
        /// HiSo, peer-code rule (last step, `beta`).
        case hisoPeer
        /// HiSo, paper rule (`nu`, `epsilon`).
        case hisoPaper
        /// `hiso-curv`: the Stein curvature rule on central second differences.
        case hisoCurv
        /// The oracle diagonal `H = diag(A)`.
        case oracle

        /// The method's name in tables.
        public var description: String {
            switch self {
            case .decomfl: return "DeComFL"
            case .hisoPeer: return "HiSo (peer rule)"
            case .hisoPaper: return "HiSo (paper rule)"
            case .hisoCurv: return "hiso-curv"
            case .oracle: return "Oracle diag(A)"
            }
        }
    }

    /// Every knob of the experiment.
    public struct Configuration: Sendable, Codable, Equatable {
        /// `d`.
        public var dimension = 1000
        /// The spectra compared.
        public var spectra: [QuadraticProblem.Spectrum] = [.logNormal(sigma: 1), .powerLaw(exponent: 1)]
        /// Diagonal or rotated `A`.
        public var basis = QuadraticProblem.Basis.diagonal
        /// Whether the spectra are scaled to `max λ = 1`.
        public var normalized = true
        /// The methods compared.
        public var methods = Method.allCases
        /// Reported seeds `0 ..< seeds`; seed `s` builds problem seed `1000 + s` and run seed `s`.
        public var seeds = 5
        /// Tuning seeds `seeds ..< seeds + tuningSeeds` (at least 1), which choose the rate and
        /// are not reported.
        public var tuningSeeds = 3
        /// `P`.
        public var perturbations = 5
        /// `mu`.
        public var mu: Float = 1e-3
        /// Forward or central differences.
        public var scheme = DifferenceScheme.forward
        /// The learning-rate grid (any order; scanned from the largest).
        public var learningRates: [Float] = (0...15).map { 1e-4 * Float(1 << $0) }
        /// The round budget per run.
        public var maxRounds = 20_000
        /// A run with `f >= f(x0)` after this many rounds stops as stalled.
        public var stallRounds = 2_000
        /// The target fraction of the initial suboptimality.
        public var target: Double = 1e-2
        /// The number of clients `m` (all participate every round).
        public var clients = 1
        /// The per-client gradient noise `sigma` (0: none).
        public var noiseScale: Float = 0
        /// The peer rule's EMA weight on the old `H`.
        public var peerBeta: Float = 0.95
        /// The paper rule's `nu`.
        public var paperNu: Float = 0.05
        /// The paper rule's `epsilon`.
        public var paperEpsilon: Float = 1e-8
        /// The floor under `H` for both HiSo rules (0: none, as the peer).
        public var floor: Float = 0
        /// `hiso-curv`: the EMA weight `beta` of the old estimate.
        public var curvatureBeta = CurvaturePreconditioner.defaultBeta
        /// `hiso-curv`: the relative floor `phi`.
        public var curvatureFloor = CurvaturePreconditioner.defaultFloorFraction
        /// `hiso-curv`: the per-round clipping factor `rho`.
        public var curvatureClip = CurvaturePreconditioner.defaultClipRatio

        /// The defaults: `d = 1000`, log-normal(1) and power-law(1) spectra, 5 reported and
        /// 3 tuning seeds, `P = 5`, `mu = 1e-3`, forward differences (central for `hiso-curv`),
        /// one client, rates `1e-4 * 2^k`, `k = 0...15`.
        public init() {}
    }

    /// One run.
    public struct Run: Sendable, Codable, Equatable {
        /// The method.
        public var method: Method
        /// The spectrum.
        public var spectrum: QuadraticProblem.Spectrum
        /// The seed index.
        public var seed: Int
        /// The learning rate.
        public var learningRate: Float
        /// The first round count after which `f <= target f0`, or `nil`.
        public var roundsToTarget: Int?
        /// Rounds actually run.
        public var rounds: Int
        /// Whether the run diverged.
        public var diverged: Bool
        /// Whether the run stopped with no progress (`f >= f0` after ``Configuration/stallRounds``).
        public var stalled: Bool
        /// `f(x_final) / f(x0)`.
        public var finalRatio: Double
        /// Pearson correlation of the final `H` with `diag(A)` (`nil` for the identity).
        public var correlation: Double?
        /// The same on `log H` and `log diag(A)`.
        public var logCorrelation: Double?
        /// The effective dimension `Tr(S A S) / max_i (s_i^2 A_ii)` of the final scale `s`
        /// (for diagonal `A`, the ratio of `ζ` to the largest preconditioned eigenvalue).
        public var effectiveDimension: Double
    }

    /// The summary for one (spectrum, method) at its chosen learning rate.
    public struct Row: Sendable, Codable, Equatable {
        /// The spectrum.
        public var spectrum: QuadraticProblem.Spectrum
        /// The method.
        public var method: Method
        /// The chosen learning rate (`nil` when no rate reached the target on the tuning seeds).
        public var learningRate: Float?
        /// The runs of the reported seeds at that rate, one per seed.
        public var runs: [Run]
        /// The tuning scan: every rate tried, with its tuning seeds' runs.
        public var scan: [Run]

        /// Seeds that reached the target.
        public var reached: Int { runs.filter { $0.roundsToTarget != nil }.count }
        /// The median rounds to target (unreached counted as infinite; `nil` if the median is unreached).
        public var medianRounds: Double? { QuadraticExperiment.median(runs.map { $0.roundsToTarget.map(Double.init) ?? .infinity }) }
        /// The fewest rounds to target.
        public var minRounds: Int? { runs.compactMap(\.roundsToTarget).min() }
        /// The most rounds to target (`nil` if a seed did not reach it).
        public var maxRounds: Int? { reached == runs.count ? runs.compactMap(\.roundsToTarget).max() : nil }
        /// The median correlation of the learned `H` with `diag(A)`.
        public var medianCorrelation: Double? { QuadraticExperiment.median(runs.compactMap(\.correlation)) }
        /// The median log-scale correlation.
        public var medianLogCorrelation: Double? { QuadraticExperiment.median(runs.compactMap(\.logCorrelation)) }
        /// The median effective dimension of the final preconditioner.
        public var medianEffectiveDimension: Double? { QuadraticExperiment.median(runs.map(\.effectiveDimension)) }
    }

    /// The median of finite and infinite values (`nil` when empty or infinite).
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let n = sorted.count
        let m = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        return m.isFinite ? m : nil
    }

    /// The preconditioner of `method` for `problem`.
    static func preconditioner(
        _ method: Method, problem: QuadraticProblem, configuration c: Configuration
    ) throws(OptimError) -> any Preconditioner {
        switch method {
        case .decomfl:
            return IdentityPreconditioner()
        case .hisoPeer:
            return try HiSoPreconditioner(dimension: problem.dimension, rule: .peer(step: .last, beta: c.peerBeta), floor: c.floor)
        case .hisoPaper:
            return try HiSoPreconditioner(
                dimension: problem.dimension, rule: .paper(nu: c.paperNu, epsilon: c.paperEpsilon), floor: c.floor)
        case .hisoCurv:
            return try CurvaturePreconditioner(
                dimension: problem.dimension, beta: c.curvatureBeta, floorFraction: c.curvatureFloor,
                clipRatio: c.curvatureClip)
        case .oracle:
            return try OracleDiagonalPreconditioner(diagonal: problem.curvatureDiagonal)
        }
    }

    /// The estimator of `method`: the configured one, or central differences with second
    /// differences for `hiso-curv` (`2 P + 1` losses per step instead of `P + 1`).
    static func estimator(_ method: Method, configuration c: Configuration) throws(OptimError) -> ZOEstimator {
        method == .hisoCurv
            ? try ZOEstimator(perturbations: c.perturbations, mu: c.mu, scheme: .central, curvature: true)
            : try ZOEstimator(perturbations: c.perturbations, mu: c.mu, scheme: c.scheme)
    }

    /// Runs one (problem, method, seed, rate) to the target, the budget or divergence.
    ///
    /// Memory: `x`, one `d`-float workspace, the problem's scratch, `m P` scalars (`2 m P` for
    /// `hiso-curv`) and the preconditioner. Complexity per round: `m` estimates, one update, one H update, one exact loss.
    public static func run(
        problem: QuadraticProblem, method: Method, seed: Int, learningRate: Float, configuration c: Configuration,
        roundLimit: Int? = nil, backend: any KernelBackend
    ) throws(OptimError) -> Run {
        let d = problem.dimension
        let estimator = try estimator(method, configuration: c)
        let (p, q) = (c.perturbations, estimator.scalarsPerStep)
        guard c.clients >= 1 else {
            throw .invalidParameter(name: "clients", value: Double(c.clients), expected: "at least 1")
        }
        var pre = try preconditioner(method, problem: problem, configuration: c)
        var x = [Float](repeating: 0, count: d)
        var trainer = LocalTrainer(estimator: estimator, localSteps: 1, dimension: d, backend: backend)
        var scratch = [Float](repeating: 0, count: problem.scratchCount)
        var rows = [[Float]](repeating: [Float](repeating: 0, count: q), count: c.clients)
        let initial = Double(problem.loss(x, backend: backend))
        let runSeed = UInt64(seed)
        let limit = min(c.maxRounds, roundLimit ?? c.maxRounds)
        var reachedAt: Int?
        var diverged = false
        var stalled = false
        var current = initial
        var rounds = 0
        while rounds < limit {
            let round = UInt64(rounds)
            let stepSeed = StepSeed.derive(runSeed: runSeed, round: round, step: 0)
            var aggregated = [Float](repeating: 0, count: q)
            pre.withScale { scale in
                x.withUnsafeBufferPointer { xb in
                    scratch.withUnsafeMutableBufferPointer { sb in
                        for client in 0..<c.clients {
                            let noise = c.noiseScale == 0 ? nil : QuadraticNoise(
                                seed: StepSeed.derive(runSeed: ~runSeed, round: round, step: client), scale: c.noiseScale)
                            rows[client].withUnsafeMutableBufferPointer { gb in
                                _ = trainer.run(
                                    at: xb, scale: scale, runSeed: runSeed, round: round, learningRate: learningRate,
                                    scalars: gb) { point, _ in problem.loss(point, noise: noise, scratch: sb, backend: backend) }
                            }
                        }
                    }
                }
            }
            if c.clients == 1 {
                aggregated = rows[0]
            } else {
                for i in 0..<q {
                    var sum: Float = 0
                    for client in 0..<c.clients { sum += rows[client][i] }
                    aggregated[i] = sum / Float(c.clients)
                }
            }
            rounds += 1
            guard aggregated.allSatisfy(\.isFinite) else {
                diverged = true
                break
            }
            let record = RoundRecord(
                round: round,
                steps: [StepScalars(seed: stepSeed, learningRate: learningRate, aggregated: Array(aggregated[0..<p]),
                                    perClient: pre.needsPerClientScalars ? rows : nil,
                                    curvature: q > p ? Array(aggregated[p...]) : nil)])
            try x.withUnsafeMutableBufferPointer { xb throws(OptimError) in
                try record.apply(to: xb, preconditioner: &pre, backend: backend)
            }
            current = x.withUnsafeBufferPointer { xb in
                scratch.withUnsafeMutableBufferPointer { Double(problem.loss(xb, scratch: $0, backend: backend)) }
            }
            if !current.isFinite || current > 1e4 * initial {
                diverged = true
                break
            }
            if current <= c.target * initial {
                reachedAt = rounds
                break
            }
            if rounds >= c.stallRounds, current >= initial {
                stalled = true
                break
            }
        }
        let hessian = pre.hessian
        return Run(
            method: method, spectrum: problem.specification.spectrum, seed: seed, learningRate: learningRate,
            roundsToTarget: reachedAt, rounds: rounds, diverged: diverged, stalled: stalled, finalRatio: current / initial,
            correlation: hessian.map { problem.curvatureCorrelation($0) },
            logCorrelation: hessian.map { problem.curvatureCorrelation($0, logScale: true) },
            effectiveDimension: effectiveDimension(problem: problem, scale: pre.scale))
    }

    /// `Tr(S A S) / max_i (s_i^2 A_ii)` (`s = 1` when `nil`).
    static func effectiveDimension(problem: QuadraticProblem, scale: [Float]?) -> Double {
        var largest = 0.0
        for i in 0..<problem.dimension {
            let s = scale.map { Double($0[i]) } ?? 1
            largest = max(largest, s * s * Double(problem.curvatureDiagonal[i]))
        }
        return largest > 0 && largest.isFinite ? problem.zeta(scale: scale) / largest : .nan
    }

    /// Runs the whole experiment: for every spectrum and method, the learning-rate scan over all
    /// seeds, and returns one ``Row`` per (spectrum, method) in configuration order.
    ///
    /// - Parameters:
    ///   - configuration: the knobs.
    ///   - backend: the kernels.
    ///   - progress: called after every run (for logging).
    /// - Throws: `OptimError` for an invalid configuration.
    public static func run(
        _ configuration: Configuration, backend: any KernelBackend, progress: (Run) -> Void = { _ in }
    ) throws(OptimError) -> [Row] {
        guard configuration.seeds >= 1 else {
            throw .invalidParameter(name: "seeds", value: Double(configuration.seeds), expected: "at least 1")
        }
        guard configuration.tuningSeeds >= 1 else {
            throw .invalidParameter(name: "tuningSeeds", value: Double(configuration.tuningSeeds), expected: "at least 1")
        }
        guard !configuration.learningRates.isEmpty, configuration.learningRates.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw .invalidParameter(name: "learning-rate grid", value: .nan, expected: "a non-empty list of positive rates")
        }
        var rows: [Row] = []
        for spectrum in configuration.spectra {
            for method in configuration.methods {
                rows.append(try row(spectrum: spectrum, method: method, configuration: configuration, backend: backend, progress: progress))
            }
        }
        return rows
    }

    /// One (spectrum, method) of the experiment: the rate scan on the tuning seeds, then the
    /// reported seeds at the chosen rate.
    ///
    /// - Throws: `OptimError` for an invalid configuration.
    public static func row(
        spectrum: QuadraticProblem.Spectrum, method: Method, configuration: Configuration, backend: any KernelBackend,
        progress: (Run) -> Void = { _ in }
    ) throws(OptimError) -> Row {
        func problem(_ s: Int) throws(OptimError) -> QuadraticProblem {
            let spec = QuadraticProblem.Specification(
                dimension: configuration.dimension, spectrum: spectrum, basis: configuration.basis, seed: 1000 + UInt64(s),
                normalized: configuration.normalized)
            return try QuadraticProblem(spec, backend: backend)
        }
        let tuning = try (configuration.seeds..<(configuration.seeds + configuration.tuningSeeds)).map { s throws(OptimError) in
            (s, try problem(s))
        }
        var best: (median: Double, rate: Float)?
        var scan: [Run] = []
        for rate in configuration.learningRates.sorted(by: >) {
            let cap = best.map { Int(min(Double(configuration.maxRounds), 3 * $0.median)) }
            var runs: [Run] = []
            for (s, problem) in tuning {
                let run = try run(
                    problem: problem, method: method, seed: s, learningRate: rate, configuration: configuration,
                    roundLimit: cap, backend: backend)
                progress(run)
                runs.append(run)
            }
            scan += runs
            let diverged = runs.contains(where: \.diverged)
            let median = Self.median(runs.map { $0.roundsToTarget.map(Double.init) ?? .infinity })
            if !diverged, let median, median < (best?.median ?? .infinity) {
                best = (median, rate)
            } else if let best, !diverged, !runs.contains(where: \.stalled), (median ?? .infinity) > 2 * best.median {
                break
            }
        }
        var runs: [Run] = []
        if let rate = best?.rate {
            for s in 0..<configuration.seeds {
                let run = try run(
                    problem: try problem(s), method: method, seed: s, learningRate: rate, configuration: configuration,
                    backend: backend)
                progress(run)
                runs.append(run)
            }
        }
        return Row(spectrum: spectrum, method: method, learningRate: best?.rate, runs: runs, scan: scan)
    }
}
