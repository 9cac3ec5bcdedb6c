import Foundation

extension SST2Scenario.Result {
    /// The result as a Markdown table: one row per (method, learning rate), best learning rate
    /// per method marked `*`, each cell `median (min-max)` over the seeds; a target cell also says
    /// how many seeds reached it (`-` when none did). Then the verdict against the baseline.
    public func table() -> String {
        let targetHeaders = settings.targets.flatMap { t in
            let p = Int((t * 100).rounded())
            return ["rounds to \(p)%", "bytes to \(p)%"]
        }
        let headers = ["method", "lr", "seeds"] + targetHeaders + ["best dev acc", "final dev acc", "wall s/run"]
        var lines = ["| " + headers.joined(separator: " | ") + " |", "|" + headers.map { _ in "---" }.joined(separator: "|") + "|"]
        for summary in summaries where summary.seeds > 0 {
            let marked = best.contains(summary) ? "*" : ""
            var cells = [summary.method.rawValue, "\(summary.learningRate)\(marked)", "\(summary.seeds)"]
            for target in summary.targets {
                cells.append(Self.cell(target.rounds, of: summary.seeds, format: { String(Int($0.rounded())) }))
                cells.append(Self.cell(target.bytes, of: summary.seeds, format: Self.bytes))
            }
            cells.append(Self.cell(summary.bestAccuracy, format: SST2Scenario.percent))
            cells.append(Self.cell(summary.finalAccuracy, format: SST2Scenario.percent))
            cells.append(Self.cell(summary.wallSeconds, format: { String(format: "%.1f", $0) }))
            if summary.failures > 0 { cells[2] += " (\(summary.failures) diverged)" }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        let s = settings
        lines.append("")
        lines.append(
            "Setting: subset \(s.task.subset), \(s.task.trainLimit.map(String.init) ?? "all") training sentences, "
                + "\(s.task.clients) clients (\(s.task.dirichletAlpha.map { "Dirichlet \($0)" } ?? "IID")), m = \(s.sampledClients), "
                + "tau = \(s.localSteps), P = \(s.perturbations), mu = \(s.mu), forward differences, batch \(s.task.batchSize), "
                + "length \(s.task.maxLength), \(s.rounds) rounds, dev evaluated every \(s.evaluateEvery); seeds \(s.seeds.map(String.init).joined(separator: ",")); "
                + "total wall \(String(format: "%.0f", wallSeconds)) s\(truncated ? " (wall budget reached: grid incomplete)" : "").")
        for summary in best {
            let over = runs.filter { $0.method == summary.method && $0.learningRate == summary.learningRate && $0.bestAccuracy > s.baselineAccuracy }
            lines.append(
                "\(summary.method.rawValue) (lr \(summary.learningRate)): \(over.count)/\(summary.seeds) seeds exceed the "
                    + "\(SST2Scenario.percent(s.baselineAccuracy)) frozen-embedding baseline"
                    + (over.isEmpty ? "." : "; first above it at round / bytes " + over.map { Self.firstOver($0, s.baselineAccuracy) }.joined(separator: ", ") + "."))
        }
        return lines.joined(separator: "\n")
    }

    private static func cell(_ spread: SST2Scenario.Spread?, of seeds: Int? = nil, format: (Double) -> String) -> String {
        guard let spread else { return "-" }
        let reached = seeds.map { $0 == spread.count ? "" : " [\(spread.count)/\($0)]" } ?? ""
        return "\(format(spread.median)) (\(format(spread.min))-\(format(spread.max)))\(reached)"
    }

    private static func bytes(_ value: Double) -> String {
        value >= 1e6 ? String(format: "%.2f MB", value / 1e6) : value >= 1e3 ? String(format: "%.1f kB", value / 1e3) : String(format: "%.0f B", value)
    }

    private static func firstOver(_ run: SST2Scenario.Run, _ baseline: Double) -> String {
        guard let point = run.curve.first(where: { $0[1] > baseline }) else { return "- (seed \(run.seed))" }
        return "\(Int(point[0])) / \(bytes(point[2])) (seed \(run.seed))"
    }
}
