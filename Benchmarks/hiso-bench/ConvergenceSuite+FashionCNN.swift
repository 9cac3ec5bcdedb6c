import Foundation
import HiSoExperiments
import HiSoFederation

extension ConvergenceSuite {
    /// The learning rates tried per method in the fmnist-cnn scenario.
    static let fashionGrid: [ComparedMethod: [Double]] = [
        .decomfl: [3e-4, 1e-3, 3e-3], .hiso: [3e-4, 1e-3, 3e-3], .hisoPaper: [3e-4, 1e-3, 3e-3], .hisoCurv: [3e-4, 1e-3, 3e-3],
        .fedzo: [3e-4, 1e-3, 3e-3], .mezo: [3e-4, 1e-3, 3e-3],
        .fedavg: [3e-2, 1e-1, 3e-1], .fedadam: [1e-3, 3e-3, 1e-2], .fedadagrad: [1e-2, 3e-2, 1e-1], .fedyogi: [1e-3, 3e-3, 1e-2],
    ]

    /// The HiSo paper's image setting; with `--pilot-rounds P` each method's learning rate is
    /// chosen on a P-round pilot with seed 0 (highest final validation accuracy, or test accuracy
    /// with `--validation 0`; a diverged pilot never wins; ties to the smaller
    /// rate), otherwise every seed runs the whole grid and ``ComparisonSummary``'s rule chooses.
    func fashionCNN(_ context: BenchmarkContext, deadline: ContinuousClock.Instant?) throws -> ConvergenceOutput {
        let defaults = TaskDefaults(.fmnistCNN)
        var spec = defaults.specification
        spec.dataDirectory = dataDir
        spec.validationCount = validation > 0 ? validation : nil
        var config = defaults.configuration
        if let rounds { config.rounds = rounds }
        if let evalEvery { config.evaluateEvery = evalEvery }
        apply(context, to: &config)
        let methodList = (methods ?? "decomfl,hiso,hiso-paper,hiso-curv,fedzo,fedavg").split(separator: ",").compactMap { ComparedMethod(rawValue: String($0)) }
        let catalog = TaskCatalog()
        var grids = Dictionary(uniqueKeysWithValues: methodList.map { ($0.rawValue, Self.fashionGrid[$0] ?? [1e-3]) })
        for item in learningRateOverrides {
            let parts = item.split(separator: "=")
            if parts.count == 2, let lr = Double(parts[1]) { grids[String(parts[0])] = [lr] }
        }
        var pilot: [ConvergenceOutput.Pilot] = []
        var notes: [String] = []
        let piloted = methodList.filter { (grids[$0.rawValue]?.count ?? 0) > 1 }
        if pilotRounds > 0 && !piloted.isEmpty {
            var pilotConfig = config
            pilotConfig.rounds = pilotRounds
            pilotConfig.evaluateEvery = pilotRounds
            let pilotPlan = ExperimentPlan(
                task: spec, configuration: pilotConfig, methods: piloted, learningRates: [1e-3],
                methodLearningRates: grids, seeds: [0], targets: defaults.targets, divergenceLossMultiple: divergenceMultiple)
            let runner = ExperimentRunner(plan: pilotPlan, catalog: catalog)
            var results: [(ComparedMethod, Double, ReportCurve)] = []
            for run in pilotPlan.runs {
                if let deadline, ContinuousClock.now >= deadline { break }
                context.note("fmnist-cnn pilot: [\(run.index + 1)/\(run.total)] \(run.method) lr \(run.learningRate), \(pilotRounds) rounds")
                let curve = try runner.execute(run)
                context.note("  \(curve.status.rawValue), test accuracy \(curve.points.last.map { String(format: "%.3f", $0.testAccuracy ?? .nan) } ?? "-")")
                results.append((run.method, run.learningRate, curve))
            }
            for method in piloted {
                let tried = results.filter { $0.0 == method }
                guard !tried.isEmpty else { continue }
                func score(_ c: ReportCurve) -> Double {
                    let accuracy = c.hasValidation ? c.finalValidationAccuracy : c.finalAccuracy
                    return accuracy.isFinite && c.status != .diverged ? accuracy : -.infinity
                }
                let best = tried.min { a, b in score(a.2) != score(b.2) ? score(a.2) > score(b.2) : a.1 < b.1 }!
                grids[method.rawValue] = [best.1]
                for (m, lr, curve) in tried {
                    pilot.append(.init(method: m.rawValue, learningRate: lr, rounds: curve.roundsCompleted,
                                       finalAccuracy: curve.finalAccuracy.isFinite ? curve.finalAccuracy : nil,
                                       status: curve.status.rawValue, selected: lr == best.1))
                }
            }
        }
        let plan = ExperimentPlan(
            task: spec, configuration: config, methods: methodList, learningRates: [1e-3], methodLearningRates: grids,
            seeds: (0..<(seeds ?? 3)).map(UInt64.init), targets: defaults.targets, divergenceLossMultiple: divergenceMultiple)
        let setting = TaskCatalog.summary(spec, clients: config.clients)
            + ", 4 sampled, tau 1, P 5, mu 1e-3, forward differences, \(config.rounds) rounds, evaluation every \(config.evaluateEvery) "
            + "(test accuracy on the 10,000 test images; "
            + (validation > 0
                ? "each method's rate is chosen on the validation accuracy of \(validation) training images held out before the client split"
                : "the rate is chosen on the test accuracy itself: no validation split")
            + "), divergence above \(divergenceMultiple)x the initial training loss"
        let (document, curves) = try execute(
            plan, title: "fmnist-cnn", setting: setting, directory: outputDirectory, context: context, deadline: deadline, catalog: catalog)
        if let shard = selectedShard {
            notes.append("shard \(shard) wrote \(curves.count) of \(plan.runs.count) run records; build the report with --merge")
        } else if curves.count < plan.runs.count {
            notes.append("only \(curves.count) of \(plan.runs.count) runs finished within the time budget (\(budgetMinutes.map { "\($0) min" } ?? "none"))")
        }
        if let partial = curves.first(where: { $0.status == .interrupted }) {
            notes.append("\(partial.method) seed \(partial.seed) was stopped by the budget after \(partial.roundsCompleted) rounds")
        }
        let output = ConvergenceOutput(
            metadata: .current(suite: "convergence fmnist-cnn", trials: options.trials, quick: options.quick),
            scenario: scenario, outputDirectory: outputDirectory.path,
            comparisons: document.map { ["fmnist-cnn": $0] } ?? [:], calibration: [], pilot: pilot, notes: notes)
        try writeTopLevel(output)
        return output
    }
}
