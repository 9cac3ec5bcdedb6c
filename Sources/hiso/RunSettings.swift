import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoTransformer

/// The resolved settings of `train` or `compare`: flags over config file over task defaults,
/// every value checked, turned into an ``ExperimentPlan`` plus output choices.
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
    /// Print JSON on stdout.
    var json: Bool
    /// Debug logging.
    var verbose: Bool

    /// Resolves and checks every setting.
    ///
    /// - Throws: ``CommandLineError`` naming the flag or config key at fault.
    init(_ s: SettingsSource, mode: Mode) throws(CommandLineError) {
        let task = try s.choice("task", default: .digits, Names.tasks)
        let split = try s.choice("split", default: "iid", ["iid": "iid", "dir0.5": "dir0.5"])
        if s.has("split") && task != .digitsReference {
            throw .conflict("\(s.origin("split")) applies only to --task digits-reference (the task is \(task)).")
        }
        let defaults = TaskDefaults(task, referenceSplit: split)

        var spec = defaults.specification
        spec.dataDirectory = s.text("data-dir")
        if task == .digitsReference && spec.dataDirectory == nil {
            throw .conflict("--task digits-reference needs --data-dir DIR, the directory with the peer's digits_*.csv files.")
        }
        if task == .sst2Minilm && spec.dataDirectory == nil {
            throw .conflict("--task sst2-minilm needs --data-dir DIR, a GLUE SST-2 directory with train.tsv and dev.tsv.")
        }
        try Self.readSST2Settings(s, task: task, into: &spec)
        if let dir = spec.dataDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .invalidValue(origin: s.origin("data-dir"), expected: "an existing directory", found: dir)
            }
        }
        if task == .digitsReference, s.has("partition") {
            throw .conflict("\(s.origin("partition")) does not apply to digits-reference, which reads the peer's partition; use --split iid|dir0.5.")
        }
        spec.partition = try s.choice("partition", default: spec.partition, Names.partitions)
        if task == .sst2Minilm, spec.partition == .peerDirichlet {
            throw .invalidValue(origin: s.origin("partition"), expected: "iid or dirichlet for sst2-minilm", found: "peer-dirichlet")
        }
        spec.alpha = try s.double("alpha", default: spec.alpha, expected: "a positive number") { $0 > 0 }
        spec.batchSize = try s.int("batch-size", default: spec.batchSize, in: 1...Int.max)
        let quadraticKeys = ["dimension", "spectrum", "spectrum-parameter", "spike-rank", "basis", "noise"]
        if task != .quadratic, let key = quadraticKeys.first(where: s.has) {
            throw .conflict("\(s.origin(key)) applies only to --task quadratic (the task is \(task)).")
        }
        spec.dimension = try s.int("dimension", default: spec.dimension, in: 1...Int.max)
        spec.spectrum = try s.choice("spectrum", default: spec.spectrum, Names.spectra)
        spec.spectrumParameter = try s.double(
            "spectrum-parameter", default: TaskSpecification.defaultParameter(spec.spectrum), expected: "a number >= 0") { $0 >= 0 }
        spec.spikeRank = try s.int("spike-rank", default: spec.spikeRank, in: 1...spec.dimension)
        spec.rotated = try s.choice("basis", default: spec.rotated, Names.bases)
        spec.noise = try s.double("noise", default: spec.noise, expected: "a number >= 0") { $0 >= 0 }

        var c = defaults.configuration
        c.scheme = try s.choice("estimator", default: c.scheme, Names.schemes)
        c.perturbations = try s.int("perturbations", default: c.perturbations, in: 1...Int.max)
        c.mu = Float(try s.double("mu", default: Double(c.mu), expected: "a positive number") { $0 > 0 })
        c.localSteps = try s.int("local-steps", default: c.localSteps, in: 1...Int.max)
        c.clients = try s.int("clients", default: c.clients, in: 1...Int.max)
        if task == .digitsReference, c.clients != 8 {
            throw .invalidValue(origin: s.origin("clients"), expected: "8 for digits-reference (the peer's partitions have 8 clients)", found: "\(c.clients)")
        }
        c.sampledClients = try s.int("sampled", default: min(c.sampledClients, c.clients), in: 1...c.clients)
        c.rounds = try s.int("rounds", default: c.rounds, in: 1...Int.max)
        c.evaluateEvery = try s.int("eval-every", default: c.evaluateEvery, in: 1...Int.max)
        c.schedule = try s.choice("schedule", default: c.schedule, Names.schedules)
        c.scheduleDecay = Float(try s.double("schedule-decay", default: Double(c.scheduleDecay), expected: "a number in (0, 1]") { $0 > 0 && $0 <= 1 })
        c.scheduleEvery = try s.int("schedule-every", default: c.scheduleEvery, in: 1...Int.max)
        c.scheduleMinimumFraction = Float(try s.double(
            "schedule-min-fraction", default: Double(c.scheduleMinimumFraction), expected: "a number in [0, 1]") { $0 >= 0 && $0 <= 1 })
        c.aggregator = try s.choice("aggregator", default: c.aggregator, Names.aggregators)
        c.byzantineCount = try s.int("byzantine", default: c.byzantineCount, in: 0...Int.max)
        c.attack = try s.choice("attack", default: c.attack, Names.attacks)
        c.attackers = try s.int("attackers", default: c.attackers, in: 0...c.clients)
        c.attackStrength = Float(try s.double("attack-strength", default: Double(c.attackStrength), expected: "a number >= 0") { $0 >= 0 })
        c.hessianStep = try s.choice("hessian-step", default: c.hessianStep, Names.hessianSteps)
        c.beta = Float(try s.double("beta", default: Double(c.beta), expected: "a number in [0, 1)") { $0 >= 0 && $0 < 1 })
        c.nu = Float(try s.double("nu", default: Double(c.nu), expected: "a number in (0, 1]") { $0 > 0 && $0 <= 1 })
        c.epsilon = Float(try s.double("epsilon", default: Double(c.epsilon), expected: "a number >= 0") { $0 >= 0 })
        c.hessianFloor = Float(try s.double("hessian-floor", default: Double(c.hessianFloor), expected: "a number >= 0") { $0 >= 0 })
        c.serverLearningRate = Float(try s.double("server-lr", default: Double(c.serverLearningRate), expected: "a positive number") { $0 > 0 })
        c.serverBeta1 = Float(try s.double("server-beta1", default: Double(c.serverBeta1), expected: "a number in [0, 1)") { $0 >= 0 && $0 < 1 })
        c.serverBeta2 = Float(try s.double("server-beta2", default: Double(c.serverBeta2), expected: "a number in [0, 1)") { $0 >= 0 && $0 < 1 })
        c.serverEpsilon = Float(try s.double("server-epsilon", default: Double(c.serverEpsilon), expected: "a positive number") { $0 > 0 })
        c.syncMode = try s.choice("sync", default: c.syncMode, Names.syncModes)
        c.logRetention = try s.optionalInt("log-retention", in: 1...Int.max)
        var backendChoices: [(String, BackendKind)] = [("openblas", .openblas), ("swift", .swift)]
        backendChoices = backendChoices.filter { Kernels.compiledBackends.contains($0.1) }
        if let name = s.text("backend"), !backendChoices.contains(where: { $0.0 == name.trimmed.lowercased() }) {
            let compiled = Kernels.compiledBackends.map(\.rawValue)
            throw .invalidValue(
                origin: s.origin("backend"),
                expected: SettingsSource.oneOf(compiled) + (compiled.contains("openblas") ? "" : " (this build has no OpenBLAS)"),
                found: name)
        }
        c.backend = s.text("backend").flatMap { BackendKind(rawValue: $0.trimmed.lowercased()) }
        c.threads = try s.int("threads", default: 1, in: 1...1024)

        let methods = try s.choices("methods", default: mode == .train ? [.hiso] : defaults.methods, Names.methods)
        let rates = try s.doubles("lr", default: defaults.learningRates, expected: "positive numbers") { $0 > 0 }
        let firstSeed = try s.uint64("seed", default: 0)
        let seedCount = try s.int("seeds", default: defaults.seeds, in: 1...10_000)
        let targets = try s.doubles("targets", default: defaults.targets, expected: "accuracies in (0, 1]") { $0 > 0 && $0 <= 1 }
        if mode == .train {
            if methods.count != 1 {
                throw .conflict("train runs one method, but \(s.origin("methods")) lists \(methods.count); use compare for several.")
            }
            if rates.count != 1 {
                throw .conflict("train runs one learning rate, but \(s.origin("lr")) lists \(rates.count); use compare for a grid.")
            }
            if s.has("seeds") {
                throw .conflict("\(s.origin("seeds")) belongs to compare; train runs one seed, chosen with --seed.")
            }
        }
        for method in methods {
            try Self.check(method.configure(c), method: method, source: s)
        }

        plan = ExperimentPlan(
            task: spec, configuration: c, methods: methods, learningRates: rates,
            seeds: (0..<(mode == .train ? 1 : seedCount)).map { firstSeed &+ UInt64($0) }, targets: targets)
        outputDirectory = URL(fileURLWithPath: s.text("out") ?? (mode == .train ? "results/train" : "results/compare"), isDirectory: true)
        json = try s.bool("json", default: false)
        verbose = try s.bool("verbose", default: false)
    }

    /// Reads `--model-dir`, `--subset`, `--train-limit` and `--validation`, which only sst2-minilm takes.
    ///
    /// - Throws: ``CommandLineError`` when one is given for another task, the model directory is
    ///   missing (the message says to run `Utils/fetch-minilm`), or a value is malformed.
    static func readSST2Settings(_ s: SettingsSource, task: TaskName, into spec: inout TaskSpecification) throws(CommandLineError) {
        let keys = ["model-dir", "subset", "train-limit", "validation"]
        guard task == .sst2Minilm else {
            if let key = keys.first(where: s.has) {
                throw .conflict("\(s.origin(key)) applies only to --task sst2-minilm (the task is \(task)).")
            }
            return
        }
        guard let dir = s.text("model-dir") else {
            throw .conflict("--task sst2-minilm needs --model-dir DIR, the all-MiniLM-L6-v2 model; fetch it with Utils/fetch-minilm DIR.")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalidValue(origin: s.origin("model-dir"), expected: "an existing directory (fetch the model with Utils/fetch-minilm DIR)", found: dir)
        }
        spec.modelDirectory = dir
        if let text = s.text("subset") {
            do {
                _ = try TrainableSubset(parsing: text)
            } catch {
                throw .invalidValue(origin: s.origin("subset"), expected: "head, last-K, non-embedding, all or lora-R[-ALPHA]", found: text)
            }
            spec.subset = text
        }
        spec.trainLimit = try s.optionalInt("train-limit", in: 1...Int.max) ?? spec.trainLimit
        spec.validationCount = try s.optionalInt("validation", in: 0...Int.max) ?? spec.validationCount
    }

    /// The flag behind each ``RunConfiguration`` key, for messages.
    static let flagForKey: [String: String] = [
        "clients": "clients", "sampledClients": "sampled", "localSteps": "local-steps", "perturbations": "perturbations",
        "mu": "mu", "scheme": "estimator", "learningRate": "lr", "schedule": "schedule", "scheduleDecay": "schedule-decay",
        "scheduleEvery": "schedule-every", "scheduleMinimumFraction": "schedule-min-fraction", "rounds": "rounds",
        "evaluateEvery": "eval-every", "aggregator": "aggregator", "byzantineCount": "byzantine", "attack": "attack",
        "attackers": "attackers", "attackStrength": "attack-strength", "hessianStep": "hessian-step", "beta": "beta",
        "nu": "nu", "epsilon": "epsilon", "hessianFloor": "hessian-floor", "serverLearningRate": "server-lr",
        "serverBeta1": "server-beta1", "serverBeta2": "server-beta2", "serverEpsilon": "server-epsilon",
        "seed": "seed", "backend": "backend", "threads": "threads", "syncMode": "sync", "logRetention": "log-retention",
    ]

    /// Runs the federation's own validation and rephrases its message with the flag's name.
    static func check(_ configuration: RunConfiguration, method: ComparedMethod, source s: SettingsSource) throws(CommandLineError) {
        do {
            try configuration.validate()
        } catch {
            if case .invalidConfiguration(let key, let value, let expected) = error {
                let flag = flagForKey[key] ?? key
                throw .conflict("\(s.origin(flag)) is \(value) for \(method), but it must be \(expected).")
            }
            throw .conflict("\(method): \(error.description).")
        }
    }
}
