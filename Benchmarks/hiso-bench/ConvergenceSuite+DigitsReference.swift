import Foundation
import HiSoExperiments
import HiSoFederation

extension ConvergenceSuite {
    /// The peer's results for one setting from its `summary.json`: rounds to 70/80/90% per seed
    /// (nil = not reached) and their median.
    struct PeerSetting {
        var perSeed: [[Int?]]
        var median: [Int?]
    }

    /// Reads the peer's `summary.json`: keys like `digits iid decomfl fwd 0.01`.
    ///
    /// - Throws: ``ReportError`` when the file is missing or not a JSON object.
    static func peerSummary(_ directory: URL) throws -> [String: PeerSetting] {
        let url = directory.appendingPathComponent("summary.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ReportError.cannotRead(path: url.path, reason: "no such file")
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReportError.malformed(path: url.path, location: "top level", expected: "a JSON object", found: "something else")
        }
        var out: [String: PeerSetting] = [:]
        for (key, value) in root {
            guard let entry = value as? [String: Any], let perSeed = entry["reach_per_seed"] as? [[Any]] else { continue }
            let rows = perSeed.map { $0.map { ($0 as? NSNumber)?.intValue } }
            let median = (entry["reach_median"] as? [Any])?.map { ($0 as? NSNumber)?.intValue } ?? []
            out[key] = PeerSetting(perSeed: rows, median: median)
        }
        return out
    }

    /// DeComFL and HiSo on the peer's IID and dir0.5 digits, plus DeComFL with central
    /// differences on IID, checked against the peer's ranges; hiso-curv (central differences,
    /// the curvature rule) runs on dir0.5 and next to central DeComFL on IID (the peer has no such rows).
    func digitsReference(_ context: BenchmarkContext, deadline: ContinuousClock.Instant?) throws -> ConvergenceOutput {
        let reference = URL(fileURLWithPath: referenceDir ?? ".", isDirectory: true)
        let peer = try Self.peerSummary(reference)
        let catalog = TaskCatalog()
        let seedList = (0..<(seeds ?? 5)).map(UInt64.init)
        var comparisons: [String: ComparisonDocument] = [:]
        var calibration: [ConvergenceOutput.Calibration] = []
        var notes: [String] = []
        let variants: [(split: String, central: Bool)] = [("iid", false), ("dir0.5", false), ("iid", true)]
        for variant in variants {
            let defaults = TaskDefaults(.digitsReference, referenceSplit: variant.split)
            var spec = defaults.specification
            spec.dataDirectory = reference.path
            var config = defaults.configuration
            if let rounds { config.rounds = rounds }
            if let evalEvery { config.evaluateEvery = evalEvery }
            if variant.central { config.scheme = .central }
            apply(context, to: &config)
            let methods: [ComparedMethod] =
                variant.central ? [.decomfl, .hisoCurv] : variant.split == "iid" ? [.decomfl, .hiso] : [.decomfl, .hiso, .hisoCurv]
            let plan = ExperimentPlan(
                task: spec, configuration: config, methods: methods, learningRates: defaults.learningRates,
                seeds: seedList, targets: defaults.targets, divergenceLossMultiple: divergenceMultiple)
            let name = variant.central ? "iid-central" : variant.split
            let setting = TaskCatalog.summary(spec, clients: config.clients)
                + ", 2 sampled, tau 1, P 5, mu 1e-3, \(config.scheme.rawValue) differences (hiso-curv: central with second differences, 2P + 1 losses per step), lr 1e-2, \(config.rounds) rounds, evaluation every \(config.evaluateEvery), divergence above \(divergenceMultiple)x the initial training loss"
            let (document, curves) = try execute(
                plan, title: "digits-reference \(name)", setting: setting,
                directory: outputDirectory.appendingPathComponent(name, isDirectory: true), context: context,
                deadline: deadline, catalog: catalog)
            guard let document else {
                notes.append(selectedShard.map { "\(name): shard \($0) wrote \(curves.count) run records; build the report with --merge" }
                    ?? "\(name): the time budget ran out before any run finished")
                continue
            }
            comparisons[name] = document
            if curves.count < plan.runs.count { notes.append("\(name): only \(curves.count) of \(plan.runs.count) runs finished within the time budget") }
            for method in document.summary.methods where method.method != ComparedMethod.hisoCurv.rawValue {
                let key = "digits \(variant.split) \(method.method) \(variant.central ? "ctr" : "fwd") 0.01"
                guard let reference = peer[key] else {
                    notes.append("no peer entry '\(key)' in summary.json")
                    continue
                }
                for (t, target) in document.summary.targets.enumerated() {
                    let ours = method.targets[t]
                    let column = reference.perSeed.compactMap { t < $0.count ? $0[t] : nil }
                    let low = column.min().map { 0.7 * Double($0) }
                    let high = column.max().map { 1.3 * Double($0) }
                    let inside = ours.medianRounds.map { m in (low.map { m >= $0 } ?? false) && (high.map { m <= $0 } ?? false) } ?? false
                    calibration.append(.init(
                        split: name, method: method.method, target: target, ourMedian: ours.medianRounds, ourMin: ours.minRounds,
                        ourMax: ours.maxRounds, peerMedian: t < reference.median.count ? reference.median[t] : nil,
                        peerMin: column.min(), peerMax: column.max(), allowedLow: low, allowedHigh: high, inside: inside))
                }
            }
        }
        let output = ConvergenceOutput(
            metadata: .current(suite: "convergence digits-reference", trials: options.trials, quick: options.quick),
            scenario: scenario, outputDirectory: outputDirectory.path, comparisons: comparisons,
            calibration: calibration, pilot: [], notes: notes)
        try writeTopLevel(output)
        return output
    }

    /// Writes `convergence.json` and `README.md` (the text tables plus links to each comparison).
    func writeTopLevel(_ output: ConvergenceOutput) throws {
        try AtomicFile.createDirectory(outputDirectory)
        try ReportJSON.write(output, to: outputDirectory.appendingPathComponent("convergence.json"))
        var md = "# hiso-bench convergence \(scenario)\n\n```\n\(output.text)```\n\n"
        for key in output.comparisons.keys.sorted() {
            md += "- [\(key)](\(key)/report.md): ![accuracy vs rounds](\(key)/accuracy_vs_rounds.svg)\n"
        }
        try AtomicFile.write(md, to: outputDirectory.appendingPathComponent("README.md"))
    }
}
