import Foundation
import HiSoExperiments
import HiSoFederation

extension RunSettings {
    /// Every setting of `plan` as config-file text keyed by flag name: written as `config.json`
    /// next to the results, so `--config DIR/config.json` reproduces the run.
    ///
    /// - Parameters:
    ///   - plan: the resolved plan.
    ///   - mode: `train` leaves out `seeds` (a compare-only flag).
    /// - Returns: flag name -> value text (lists comma-separated).
    static func flags(for plan: ExperimentPlan, mode: Mode) -> [String: String] {
        let c = plan.configuration
        let t = plan.task
        func number(_ v: Double) -> String { String(describing: v) }
        func float(_ v: Float) -> String { String(describing: v) }
        var out: [String: String] = [
            "task": t.name.rawValue,
            "batch-size": String(t.batchSize),
            "methods": plan.methods.map(\.rawValue).joined(separator: ","),
            "estimator": c.scheme.rawValue,
            "perturbations": String(c.perturbations), "mu": float(c.mu),
            "lr": plan.learningRates.map(number).joined(separator: ","),
            "local-steps": String(c.localSteps),
            "schedule": c.schedule.rawValue, "schedule-decay": float(c.scheduleDecay),
            "schedule-every": String(c.scheduleEvery), "schedule-min-fraction": float(c.scheduleMinimumFraction),
            "hessian-step": c.hessianStep.rawValue, "beta": float(c.beta), "nu": float(c.nu),
            "epsilon": float(c.epsilon), "hessian-floor": float(c.hessianFloor), "server-lr": float(c.serverLearningRate),
            "server-beta1": float(c.serverBeta1), "server-beta2": float(c.serverBeta2), "server-epsilon": float(c.serverEpsilon),
            "clients": String(c.clients), "sampled": String(c.sampledClients), "rounds": String(c.rounds),
            "eval-every": String(c.evaluateEvery), "aggregator": c.aggregator.rawValue,
            "byzantine": String(c.byzantineCount), "attack": c.attack.rawValue,
            "attackers": String(c.attackers), "attack-strength": float(c.attackStrength),
            "sync": c.syncMode.rawValue,
            "seed": String(plan.seeds.first ?? 0),
            "targets": plan.targets.map(number).joined(separator: ","), "threads": String(c.threads),
        ]
        if mode == .compare { out["seeds"] = String(plan.seeds.count) }
        if let retention = c.logRetention { out["log-retention"] = String(retention) }
        if let backend = c.backend { out["backend"] = backend.rawValue }
        if let dir = t.dataDirectory { out["data-dir"] = dir }
        switch t.name {
        case .digitsReference:
            out["split"] = t.referenceSplit
        case .quadratic:
            out["dimension"] = String(t.dimension)
            out["spectrum"] = t.spectrum.rawValue
            out["spectrum-parameter"] = number(t.spectrumParameter)
            out["spike-rank"] = String(t.spikeRank)
            out["basis"] = (t.rotated ? QuadraticBasis.rotated : .diagonal).rawValue
            out["noise"] = number(t.noise)
        case .sst2Minilm:
            if let dir = t.modelDirectory { out["model-dir"] = dir }
            if let subset = t.subset { out["subset"] = subset }
            if let limit = t.trainLimit { out["train-limit"] = String(limit) }
            if let count = t.validationCount { out["validation"] = String(count) }
            out["partition"] = t.partition.rawValue
            out["alpha"] = number(t.alpha)
        case .digits, .fmnistMLP, .fmnistCNN, .fmnistCNNLarge:
            out["partition"] = t.partition.rawValue
            out["alpha"] = number(t.alpha)
        }
        return out
    }
}

extension RunSettings {
    /// `--dump-config`: prints ``flags(for:mode:)`` of the effective settings as one sorted JSON
    /// object on stdout, the form `--config` reads back.
    static func dumpConfig(_ settings: RunSettings, mode: Mode) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        FileHandle.standardOutput.write(try encoder.encode(flags(for: settings.plan, mode: mode)) + Data("\n".utf8))
    }
}
