import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoTransformer

/// The resolved settings of `train` or `compare`: flags over config file over task defaults,
/// every value checked, turned into an ``ExperimentPlan`` plus output choices.
///
/// The parser has already typed and range-checked every single value (``SharedOptions``); this
/// type applies them over the task's defaults and checks what depends on several values.
struct RunSettings {
    /// Which command the settings are for (they differ in defaults and in what may be a list).
    enum Mode {
        case train
        case compare
    }

    /// What to run.
    var plan: ExperimentPlan
    /// Where files go.
    var outputDirectory: URL
    /// What to do with an earlier run in ``outputDirectory`` (`--force`, `--resume`).
    var outputPolicy: OutputFolder.Policy
    /// Print JSON on stdout.
    var json: Bool
    /// Debug logging.
    var verbose: Bool

    /// Resolves and checks every setting.
    ///
    /// - Throws: ``CommandLineError`` naming the flag or config key at fault.
    init(_ o: SharedOptions, mode: Mode) throws(CommandLineError) {
        let (t, a, f, e) = (o.task, o.algorithm, o.federation, o.experiment)
        outputDirectory = URL(fileURLWithPath: e.resume ?? e.out ?? (mode == .train ? "results/train" : "results/compare"), isDirectory: true)
        if e.force && e.resume != nil { throw .conflict("--force replaces the run in --out and --resume continues it; give one of them.") }
        outputPolicy = e.resume != nil ? .resume : e.force ? .replace : .fresh
        if outputPolicy == .resume { try OutputFolder(directory: outputDirectory, mode: mode).check(.resume) }
        let task = t.task ?? .digits
        if t.split != nil && task != .digitsReference {
            throw .conflict("\(o.origin("split")) applies only to --task digits-reference (the task is \(task)).")
        }
        let defaults = TaskDefaults(task, referenceSplit: (t.split ?? .iid).rawValue)

        var spec = defaults.specification
        spec.dataDirectory = t.dataDir
        if task == .digitsReference && spec.dataDirectory == nil {
            throw .conflict("--task digits-reference needs --data-dir DIR, the directory with the peer's digits_*.csv files (Data/digits-reference).")
        }
        if task == .sst2Minilm && spec.dataDirectory == nil {
            throw .conflict("--task sst2-minilm needs --data-dir DIR, a GLUE SST-2 directory with train.tsv and dev.tsv (Data/sst2).")
        }
        try Self.applySST2(o, task: task, to: &spec)
        if let dir = spec.dataDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .invalidValue(origin: o.origin("data-dir"), expected: "an existing directory", found: dir)
            }
        }
        if task == .digitsReference, t.partition != nil {
            throw .conflict("\(o.origin("partition")) does not apply to digits-reference, which reads the peer's partition; use --split iid|dir0.5.")
        }
        spec.partition = t.partition ?? spec.partition
        if task == .sst2Minilm, spec.partition == .peerDirichlet {
            throw .invalidValue(origin: o.origin("partition"), expected: "iid or dirichlet for sst2-minilm", found: "peer-dirichlet")
        }
        spec.alpha = t.alpha ?? spec.alpha
        spec.batchSize = a.batchSize ?? spec.batchSize
        let quadratic: [(String, Bool)] = [
            ("dimension", t.dimension != nil), ("spectrum", t.spectrum != nil), ("spectrum-parameter", t.spectrumParameter != nil),
            ("spike-rank", t.spikeRank != nil), ("basis", t.basis != nil), ("noise", t.noise != nil),
        ]
        if task != .quadratic, let (key, _) = quadratic.first(where: \.1) {
            throw .conflict("\(o.origin(key)) applies only to --task quadratic (the task is \(task)).")
        }
        spec.dimension = t.dimension ?? spec.dimension
        spec.spectrum = t.spectrum ?? spec.spectrum
        spec.spectrumParameter = t.spectrumParameter ?? TaskSpecification.defaultParameter(spec.spectrum)
        spec.spikeRank = t.spikeRank ?? spec.spikeRank
        guard spec.spikeRank <= spec.dimension else {
            throw .invalidValue(origin: o.origin("spike-rank"), expected: "a whole number from 1 to \(spec.dimension)", found: "\(spec.spikeRank)")
        }
        spec.rotated = (t.basis ?? (spec.rotated ? .rotated : .diagonal)) == .rotated
        spec.noise = t.noise ?? spec.noise

        var c = defaults.configuration
        c.scheme = a.estimator ?? c.scheme
        c.perturbations = a.perturbations ?? c.perturbations
        c.mu = a.mu.map(Float.init) ?? c.mu
        c.localSteps = a.localSteps ?? c.localSteps
        c.clients = f.clients ?? c.clients
        if task == .digitsReference, c.clients != 8 {
            throw .invalidValue(origin: o.origin("clients"), expected: "8 for digits-reference (the peer's partitions have 8 clients)", found: "\(c.clients)")
        }
        c.sampledClients = f.sampled ?? min(c.sampledClients, c.clients)
        guard c.sampledClients <= c.clients else {
            throw .invalidValue(origin: o.origin("sampled"), expected: "a whole number from 1 to \(c.clients)", found: "\(c.sampledClients)")
        }
        c.rounds = f.rounds ?? c.rounds
        c.evaluateEvery = f.evalEvery ?? c.evaluateEvery
        c.schedule = a.schedule ?? c.schedule
        c.scheduleDecay = a.scheduleDecay.map(Float.init) ?? c.scheduleDecay
        c.scheduleEvery = a.scheduleEvery ?? c.scheduleEvery
        c.scheduleMinimumFraction = a.scheduleMinFraction.map(Float.init) ?? c.scheduleMinimumFraction
        c.aggregator = f.aggregator ?? c.aggregator
        c.byzantineCount = f.byzantine ?? c.byzantineCount
        c.attack = f.attack ?? c.attack
        c.attackers = f.attackers ?? c.attackers
        guard c.attackers <= c.clients else {
            throw .invalidValue(origin: o.origin("attackers"), expected: "a whole number from 0 to \(c.clients)", found: "\(c.attackers)")
        }
        c.attackStrength = f.attackStrength.map(Float.init) ?? c.attackStrength
        c.hessianStep = a.hessianStep ?? c.hessianStep
        c.beta = a.beta.map(Float.init) ?? c.beta
        c.nu = a.nu.map(Float.init) ?? c.nu
        c.epsilon = a.epsilon.map(Float.init) ?? c.epsilon
        c.hessianFloor = a.hessianFloor.map(Float.init) ?? c.hessianFloor
        c.serverLearningRate = a.serverLr.map(Float.init) ?? c.serverLearningRate
        c.serverBeta1 = a.serverBeta1.map(Float.init) ?? c.serverBeta1
        c.serverBeta2 = a.serverBeta2.map(Float.init) ?? c.serverBeta2
        c.serverEpsilon = a.serverEpsilon.map(Float.init) ?? c.serverEpsilon
        c.syncMode = f.sync ?? c.syncMode
        c.logRetention = f.logRetention
        if let backend = e.backend, !Kernels.compiledBackends.contains(backend) {
            let compiled = Kernels.compiledBackends.map(\.rawValue)
            throw .invalidValue(
                origin: o.origin("backend"), expected: compiled.joined(separator: " or ") + " (this build has no OpenBLAS)",
                found: backend.rawValue)
        }
        c.backend = e.backend
        c.threads = e.threads ?? 1

        let methods = a.methods?.values ?? (mode == .train ? [.hiso] : defaults.methods)
        let rates = a.lr ?? defaults.learningRates
        let firstSeed = e.seed ?? 0
        let seedCount = e.seeds ?? defaults.seeds
        let targets = e.targets ?? defaults.targets
        if mode == .train {
            if methods.count != 1 {
                throw .conflict("train runs one method, but \(o.origin("methods")) lists \(methods.count); use compare for several.")
            }
            if rates.count != 1 {
                throw .conflict("train runs one learning rate, but \(o.origin("lr")) lists \(rates.count); use compare for a grid.")
            }
            if e.seeds != nil {
                throw .conflict("\(o.origin("seeds")) belongs to compare; train runs one seed, chosen with --seed.")
            }
        }
        for method in methods {
            try Self.check(method.configure(c), method: method)
        }

        plan = ExperimentPlan(
            task: spec, configuration: c, methods: methods, learningRates: rates,
            seeds: (0..<(mode == .train ? 1 : seedCount)).map { firstSeed &+ UInt64($0) }, targets: targets)
        json = e.json
        verbose = e.verbose
    }

    /// Applies `--model-dir`, `--subset`, `--train-limit` and `--validation`, which only sst2-minilm takes.
    ///
    /// - Throws: ``CommandLineError`` when one is given for another task or the model directory is
    ///   missing (the message says to run `Utils/fetch-minilm`).
    static func applySST2(_ o: SharedOptions, task: TaskName, to spec: inout TaskSpecification) throws(CommandLineError) {
        let t = o.task
        guard task == .sst2Minilm else {
            let given = [
                ("model-dir", t.modelDir != nil), ("subset", t.subset != nil), ("train-limit", t.trainLimit != nil),
                ("validation", t.validation != nil),
            ]
            if let (key, _) = given.first(where: \.1) {
                throw .conflict("\(o.origin(key)) applies only to --task sst2-minilm (the task is \(task)).")
            }
            return
        }
        guard let dir = t.modelDir else {
            throw .conflict("--task sst2-minilm needs --model-dir DIR, the all-MiniLM-L6-v2 model; fetch it with Utils/fetch-minilm DIR.")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalidValue(origin: o.origin("model-dir"), expected: "an existing directory (fetch the model with Utils/fetch-minilm DIR)", found: dir)
        }
        spec.modelDirectory = dir
        spec.subset = t.subset?.description ?? spec.subset
        spec.trainLimit = t.trainLimit ?? spec.trainLimit
        spec.validationCount = t.validation ?? spec.validationCount
    }

    /// Runs the federation's own validation and rephrases its message for `method`.
    static func check(_ configuration: RunConfiguration, method: ComparedMethod) throws(CommandLineError) {
        do {
            try configuration.validate()
        } catch {
            if case .invalidConfiguration(let key, let value, let expected) = error {
                throw .conflict("the configuration's '\(key)' is \(value) for \(method), but it must be \(expected).")
            }
            throw .conflict("\(method): \(error.description).")
        }
    }
}
