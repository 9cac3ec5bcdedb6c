import ArgumentParser
import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoTransformer

extension ConvergenceSuite {
    /// `convergence sst2-minilm-finetune`: zeroth-order fine-tuning of all-MiniLM-L6-v2 `last-2`
    /// on the whole SST-2 training set, with FedAvg and FedAdam (backprop through the same
    /// subset) as first-order references (``SST2FinetuneScenario``): the linear probe, then per
    /// start (`probe`, `pretrained`) a validation pilot that chooses each method's learning rate
    /// (widening its grid while the choice sits at an edge), then the final seeds at that rate.
    ///
    /// Files under the output directory: `settings.json`, `probe.json`, `<start>/pilot/` and
    /// `<start>/final/` (``ComparisonFiles`` each, with `runs/*.json` records that `--resume`
    /// reuses), and the combined `report.md`, `report.json` and plots
    /// (``SST2FinetuneReport``), rewritten after every stage; `--report-only` rewrites them from
    /// the records without running anything.
    ///
    /// Overrides: `--rounds`, `--seeds`, `--eval-every`, `--pilot-rounds`, `--methods`
    /// (decomfl, hiso, hiso-paper, hiso-curv, fedavg, fedadam; hiso-curv only on request), `--lr METHOD=LR` (a one-rate grid), `--subset`, `--starts`;
    /// `--quick` shrinks everything to a smoke test (600 sentences, 100 held out, two rates without
    /// widening, a 4-round pilot, 6 final rounds, 1 seed).
    func sst2Finetune(_ context: BenchmarkContext, deadline: ContinuousClock.Instant?) throws -> ConvergenceOutput {
        let settings = try finetuneSettings()
        let out = outputDirectory
        try AtomicFile.createDirectory(out)
        try ReportJSON.write(settings, to: out.appendingPathComponent("settings.json"))
        var notes: [String] = []
        var documents: [String: ComparisonDocument] = [:]
        if !reportOnly {
            let probe = try finetuneProbe(settings, context: context)
            let catalog = TaskCatalog()
            starts: for start in settings.starts {
                let head = start == .probe ? probe.head : nil
                var grids = Dictionary(uniqueKeysWithValues: settings.methods.map { ($0.rawValue, settings.grid(start, $0.rawValue)) })
                var pending = grids
                var pilot: [ReportCurve] = []
                var chosen: [String: Double] = [:]
                while !pending.isEmpty {
                    var plan = settings.pilotPlan(start: start, probeHead: head, rates: pending)
                    apply(context, to: &plan.configuration)
                    let (_, curves) = try execute(
                        plan, title: "sst2-minilm-finetune \(start.rawValue) pilot", setting: setting(settings, plan, stage: "pilot"),
                        directory: SST2FinetuneReport.pilotDirectory(out, start), context: context, deadline: deadline, catalog: catalog)
                    pilot += curves
                    try SST2FinetuneReport(directory: out, settings: settings).write(to: out)
                    pending = [:]
                    for method in settings.methods.map(\.rawValue) {
                        let choice = SST2FinetuneScenario.choose(method: method, grid: grids[method]!, curves: pilot, seeds: [settings.pilotSeed])
                        context.note("\(start.rawValue) pilot \(method): \(choice.status.rawValue) \(choice.learningRate.map(ReportFormat.learningRate) ?? "")")
                        if let next = SST2FinetuneScenario.nextRate(
                            grid: grids[method]!, initial: settings.grid(start, method), choice: choice, maximumWidenings: settings.maximumWidenings)
                        {
                            grids[method]!.append(next)
                            pending[method] = [next]
                            context.note("  widening \(method)'s grid to \(ReportFormat.learningRate(next))")
                        } else if choice.status == .chosen {
                            chosen[method] = choice.learningRate
                        }
                    }
                    if let deadline, ContinuousClock.now >= deadline { break starts }
                }
                guard !chosen.isEmpty else {
                    notes.append("\(start.rawValue): no learning rate chosen (the pilot did not finish or every rate diverged)")
                    continue
                }
                var plan = settings.finalPlan(start: start, probeHead: head, chosen: chosen)
                apply(context, to: &plan.configuration)
                let (document, _) = try execute(
                    plan, title: "sst2-minilm-finetune \(start.rawValue)", setting: setting(settings, plan, stage: "final"),
                    directory: SST2FinetuneReport.finalDirectory(out, start), context: context, deadline: deadline, catalog: catalog)
                if let document { documents[start.rawValue] = document }
                try SST2FinetuneReport(directory: out, settings: settings).write(to: out)
                if let deadline, ContinuousClock.now >= deadline { break starts }
            }
        }
        let report = try SST2FinetuneReport(directory: out, settings: settings)
        try report.write(to: out)
        notes.append("\(report.runsFinished) of \(report.runsPlanned) runs finished; report in \(out.appendingPathComponent("report.md").path)")
        return ConvergenceOutput(
            metadata: .current(suite: "convergence sst2-minilm-finetune", trials: options.trials, quick: options.quick),
            scenario: scenario, outputDirectory: out.path, comparisons: documents, calibration: [], pilot: [], notes: notes)
    }

    /// The scenario's settings with the command line's overrides.
    func finetuneSettings() throws -> SST2FinetuneScenario.Settings {
        guard let modelDir, let data = sst2Dir ?? dataDir else {
            throw ValidationError(
                "sst2-minilm-finetune needs --model-dir DIR (run Utils/fetch-minilm) and --sst2-dir DIR (GLUE SST-2 with train.tsv and dev.tsv)")
        }
        var settings = SST2FinetuneScenario.Settings(modelDirectory: modelDir, dataDirectory: data)
        if let subset {
            guard (try? TrainableSubset(parsing: subset)) != nil else {
                throw ValidationError("--subset expects head, last-K, non-embedding, all or lora-R[-ALPHA], found '\(subset)'")
            }
            settings.subset = subset
        }
        if let starts {
            settings.starts = try starts.split(separator: ",").map { name in
                guard let start = SST2FinetuneScenario.Start(rawValue: String(name)) else {
                    throw ValidationError("--starts expects a comma list of probe and pretrained, found '\(name)'")
                }
                return start
            }
        }
        if let methods {
            let names = methods.split(separator: ",")
            let chosen = names.compactMap { ComparedMethod(rawValue: String($0)) }
            guard chosen.count == names.count, chosen.allSatisfy({ [.decomfl, .hiso, .hisoPaper, .hisoCurv, .fedavg, .fedadam].contains($0) }) else {
                throw ValidationError("sst2-minilm-finetune compares decomfl, hiso, hiso-paper, hiso-curv, fedavg and fedadam, found '\(methods)'")
            }
            settings.methods = chosen
        }
        for item in learningRateOverrides {
            let parts = item.split(separator: "=")
            if parts.count == 2, let lr = Double(parts[1]) {
                for start in SST2FinetuneScenario.Start.allCases { settings.grids[start.rawValue, default: [:]][String(parts[0])] = [lr] }
            }
        }
        if let rounds { settings.rounds = rounds }
        if let seeds { settings.seeds = (0..<UInt64(seeds)).map { $0 } }
        if let evalEvery { settings.evaluateEvery = evalEvery }
        if pilotRounds > 0 { settings.pilotRounds = pilotRounds }
        if options.quick {
            settings.trainLimit = 600
            settings.validationCount = 100
            settings.pilotRounds = 4
            settings.rounds = 6
            settings.evaluateEvery = 2
            settings.seeds = [0]
            settings.grids = settings.grids.mapValues { $0.mapValues { Array($0.prefix(2)) } }
            settings.maximumWidenings = 0
        }
        return settings
    }

    /// The saved probe when it matches the settings, else a freshly trained one (saved to `probe.json`).
    func finetuneProbe(_ settings: SST2FinetuneScenario.Settings, context: BenchmarkContext) throws -> LinearProbe {
        if let saved = try SST2FinetuneReport.savedProbe(outputDirectory, settings: settings) {
            context.note("linear probe: reused \(SST2FinetuneReport.probeURL(outputDirectory).path) (dev \(String(format: "%.4f", saved.devAccuracy)))")
            return saved
        }
        let model = try SST2MiniLMTask.loadModel(directory: URL(fileURLWithPath: settings.modelDirectory, isDirectory: true))
        let data = try SST2MiniLMTask.loadData(directory: URL(fileURLWithPath: settings.dataDirectory, isDirectory: true))
        let limited = settings.trainLimit.map { data.train.prefix($0) } ?? data.train
        let split = try limited.holdout(count: settings.validationCount, seed: settings.splitSeed)
        let backend = try Kernels.backend(context.backends.first, threads: context.threadCounts.first ?? 1)
        let clock = ContinuousClock.now
        let probe = try LinearProbe.train(
            model: model, train: split.train, validation: split.validation, dev: data.dev, backend: backend
        ) { context.note($0) }
        context.note("linear probe: lambda \(probe.l2), validation \(String(format: "%.4f", probe.validationAccuracy)), dev \(String(format: "%.4f", probe.devAccuracy)), \(ContinuousClock.now - clock)")
        try ReportJSON.write(
            SST2FinetuneReport.ProbeRecord(key: SST2FinetuneReport.ProbeKey(settings), probe: probe),
            to: SST2FinetuneReport.probeURL(outputDirectory))
        return probe
    }

    /// The one-line setting of a stage for its comparison files.
    private func setting(_ settings: SST2FinetuneScenario.Settings, _ plan: ExperimentPlan, stage: String) -> String {
        TaskCatalog.summary(plan.task, clients: settings.clients)
            + ", \(settings.sampledClients) sampled, tau \(settings.localSteps), P \(settings.perturbations), mu \(settings.mu), forward differences (hiso-curv: central), "
            + "\(plan.configuration.rounds) rounds (\(stage)), evaluation every \(plan.configuration.evaluateEvery) (test = dev accuracy; rates chosen on validation)"
    }
}
