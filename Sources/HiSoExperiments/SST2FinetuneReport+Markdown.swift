import Foundation
import HiSoFederation

extension SST2FinetuneReport {
    /// The report as markdown: status line, the rule, the accuracy table (probe row first), the
    /// rounds/bytes-to-target table, where HiSo beats DeComFL and where not, the pilot grids and
    /// the unfinished runs.
    public func markdown() -> String {
        let s = settings
        var out = "# SST-2 fine-tuning: all-MiniLM-L6-v2 `\(s.subset)`, zeroth-order methods and first-order references\n\n"
        out += "Status: \(runsFinished) of \(runsPlanned) runs finished\(runsFinished < runsPlanned ? " (PARTIAL)" : "").\n\n"
        out += "Setting: \(s.trainLimit.map { "first \($0)" } ?? "all") SST-2 training sentences less \(s.validationCount) held out "
            + "for validation (seed \(s.splitSeed)), \(s.clients) IID clients, \(s.sampledClients) sampled per round, tau \(s.localSteps), "
            + "P \(s.perturbations), mu \(s.mu), batch \(s.batchSize), forward differences (hiso-curv: central differences, 2P scalars per step); final runs: \(s.rounds) rounds, "
            + "seeds \(s.seeds.map(String.init).joined(separator: ", ")), evaluated every \(s.evaluateEvery) rounds on the whole SST-2 dev split and on validation.\n\n"
        out += "Learning rate: chosen on the validation split, never on dev. Pilot: seed \(s.pilotSeed), \(s.pilotRounds) rounds per rate; "
            + "rule: the lowest validation loss at the last evaluated round among the rates that did not diverge (ties to the smaller rate; "
            + "loss, because 200 rounds move the accuracy on the validation split by a few sentences and tie the rates); "
            + "a grid whose choice sits at an edge is extended along 1-3-10 (at most \(s.maximumWidenings) times per edge). "
            + "Divergence: a non-finite loss or an evaluated training loss above \(ReportFormat.fixed(s.divergenceLossMultiple, 1))x the initial one.\n\n"
        out += accuracyTable() + "\n" + targetTable() + "\n" + verdicts() + "\n" + pilotTable()
        if !unfinished.isEmpty {
            out += "\nUnfinished (runs with a curve but no record, and stages waiting; continue with --resume):\n\n"
            out += unfinished.map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        for start in s.starts {
            out += "\n![\(start.rawValue) start: dev accuracy vs rounds](\(start.rawValue)_accuracy_vs_rounds.svg)\n"
            out += "\n![\(start.rawValue) start: dev accuracy vs bytes](\(start.rawValue)_accuracy_vs_bytes.svg)\n"
        }
        return out
    }

    /// Method label for tables.
    static func label(_ method: String) -> String {
        switch method {
        case ComparedMethod.hiso.rawValue: return "HiSo (peer rule)"
        case ComparedMethod.hisoPaper.rawValue: return "HiSo (paper rule)"
        case ComparedMethod.hisoCurv.rawValue: return "HiSo (curvature rule)"
        case ComparedMethod.decomfl.rawValue: return "DeComFL"
        case ComparedMethod.fedavg.rawValue: return "FedAvg (first order)"
        case ComparedMethod.fedadam.rawValue: return "FedAdam (first order)"
        default: return method
        }
    }

    private func percent(_ value: Double?) -> String { value.map { ReportFormat.fixed($0 * 100, 2) } ?? "-" }

    /// Final dev accuracy (median, min-max), validation, and the state of every row.
    func accuracyTable() -> String {
        var lines = [
            "| start | method | lr (validation-chosen) | seeds finished | final dev acc % median (min-max) | final validation % | validation gain over the last 20% of rounds (points) | bytes/round |",
            "|---|---|---|---|---|---|---|---|",
        ]
        if let probe {
            lines.append(
                "| - | linear probe (first-order logistic regression, lambda \(probe.l2) on validation) | - | deterministic | "
                    + "\(percent(probe.devAccuracy)) | \(percent(probe.validationAccuracy)) | - | - |")
        } else {
            lines.append("| - | linear probe | - | not trained yet | - | - | - | - |")
        }
        for row in rows {
            var rate = row.choice.learningRate.map(ReportFormat.learningRate) ?? row.choice.status.rawValue
            if let next = row.nextRate { rate += " (at the grid's edge: trying \(ReportFormat.learningRate(next)) next)" }
            let dev = row.result.map { "\(percent($0.finalAccuracy)) (\(percent($0.finalAccuracyMin))-\(percent($0.finalAccuracyMax)))" } ?? "-"
            let gain = row.lateValidationGain.map { ReportFormat.fixed($0 * 100, 2) } ?? "-"
            let bytes = row.result.map { ReportFormat.bytes($0.bytesPerRound) } ?? "-"
            let notes = row.result.map { $0.incomplete.isEmpty ? "" : " (\($0.incomplete.count) stopped early)" } ?? ""
            lines.append(
                "| \(row.start.rawValue) | \(Self.label(row.method)) | \(rate) | \(row.seedsFinished)/\(row.seedsPlanned)\(notes) | \(dev) | "
                    + "\(percent(row.finalValidation)) | \(gain) | \(bytes) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rounds (median [min-max]) and median bytes to each dev target.
    func targetTable() -> String {
        let targets = settings.targets
        var lines = [
            "| start | method | " + targets.map { "rounds to \(ReportFormat.percent($0)) dev" }.joined(separator: " | ") + " | "
                + targets.map { "bytes to \(ReportFormat.percent($0))" }.joined(separator: " | ") + " |",
            "|---|---|" + String(repeating: "---|", count: 2 * targets.count),
        ]
        for row in rows {
            guard let result = row.result else { continue }
            let rounds = result.targets.map { t in
                guard let median = t.medianRounds else { return "not reached (\(t.reachedSeeds)/\(result.seeds.count) seeds)" }
                return "\(ReportFormat.rounds(median)) [\(t.minRounds.map(String.init) ?? "-")-\(t.maxRounds.map(String.init) ?? "n.r.")]"
            }
            let bytes = result.targets.map { t in t.medianBytes.map { ReportFormat.bytes($0) } ?? "not reached" }
            lines.append("| \(row.start.rawValue) | \(Self.label(row.method)) | " + (rounds + bytes).joined(separator: " | ") + " |")
        }
        if lines.count == 2 { lines.append("| no final run finished yet |" + String(repeating: " |", count: 1 + 2 * targets.count)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where HiSo beats DeComFL and where not, per start, target and final accuracy.
    func verdicts() -> String {
        var out = "Where HiSo does and does not beat DeComFL (median over the finished seeds; speedup = DeComFL rounds / HiSo rounds):\n\n"
        var any = false
        for start in settings.starts {
            let base = rows.first { $0.start == start && $0.method == ComparedMethod.decomfl.rawValue }?.result
            let hiso = [ComparedMethod.hiso.rawValue, ComparedMethod.hisoPaper.rawValue, ComparedMethod.hisoCurv.rawValue]
            for row in rows where row.start == start && hiso.contains(row.method) {
                guard let result = row.result, let base else { continue }
                any = true
                var parts: [String] = []
                for (t, b) in zip(result.targets, base.targets) {
                    switch (t.medianRounds, b.medianRounds) {
                    case let (h?, d?) where h > 0: parts.append("\(ReportFormat.percent(t.target)): \(ReportFormat.fixed(d / h, 2))x")
                    case let (_?, d?): parts.append("\(ReportFormat.percent(t.target)): HiSo at its start, DeComFL at round \(ReportFormat.fixed(d, 0))")
                    case (_?, nil): parts.append("\(ReportFormat.percent(t.target)): only HiSo reaches it")
                    case (nil, _?): parts.append("\(ReportFormat.percent(t.target)): only DeComFL reaches it")
                    case (nil, nil): parts.append("\(ReportFormat.percent(t.target)): neither")
                    }
                }
                let delta = (result.finalAccuracy - base.finalAccuracy) * 100
                parts.append("final dev \(delta >= 0 ? "+" : "")\(ReportFormat.fixed(delta, 2)) points "
                    + "(at lr \(ReportFormat.learningRate(result.learningRate)) vs DeComFL's \(ReportFormat.learningRate(base.learningRate)))")
                out += "- \(start.rawValue) start, \(Self.label(row.method)): " + parts.joined(separator: "; ") + "\n"
            }
        }
        return any ? out : out + "- no pair of finished final runs yet\n"
    }

    /// Every pilot rate with its validation score and the verdict.
    func pilotTable() -> String {
        var lines = ["Pilot grids (validation accuracy % at the last pilot round, seed \(settings.pilotSeed)):", "",
                     "| start | method | " + "rates: validation loss (accuracy %) (d = diverged, ... = not run yet) | verdict |", "|---|---|---|---|"]
        for row in rows {
            let cells = row.choice.grid.map { r -> String in
                let value = r.diverged > 0 ? "d" : r.finished < r.planned ? "..." : "\(r.medianValidationLoss.map { ReportFormat.fixed($0, 4) } ?? "-") (\(percent(r.medianValidation)))"
                let mark = r.learningRate == row.choice.learningRate ? "**" : ""
                return "\(mark)\(ReportFormat.learningRate(r.learningRate)): \(value)\(mark)"
            }
            let verdict = row.nextRate.map { "edge: widening to \(ReportFormat.learningRate($0))" } ?? row.choice.status.rawValue
            lines.append("| \(row.start.rawValue) | \(Self.label(row.method)) | \(cells.joined(separator: ", ")) | \(verdict) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Per start: dev accuracy against rounds and against cumulative bytes (median over the
    /// finished final seeds, band min-max, as ``ComparisonPlots`` aligns them), with the targets
    /// and the probe's dev accuracy as rules.
    ///
    /// - Parameter curves: the finished final curves of each start.
    /// - Throws: `ReportError` when the curves of a start cannot be summarised.
    public func plots(curves: [SST2FinetuneScenario.Start: [ReportCurve]]) throws(ReportError) -> [String: SVGPlot] {
        var out: [String: SVGPlot] = [:]
        var rules = settings.targets.map { SVGPlot.Rule(y: $0, label: ReportFormat.percent($0)) }
        if let probe { rules.append(SVGPlot.Rule(y: probe.devAccuracy, label: "linear probe \(percent(probe.devAccuracy))%")) }
        for start in settings.starts {
            let finals = curves[start] ?? []
            let summary = finals.isEmpty ? nil : try ComparisonSummary(curves: finals, targets: settings.targets)
            let aligned = summary.map { ComparisonPlots.aligned(finals, $0) } ?? []
            let byRound = aligned.map { a in
                SVGPlot.Series(
                    name: a.name, points: zip(a.rounds, a.accuracies).map { SVGPlot.Point(x: Double($0.0), y: ReportStatistics.median($0.1)) },
                    band: zip(a.rounds, a.accuracies).map { SVGPlot.BandPoint(x: Double($0.0), low: $0.1.min()!, high: $0.1.max()!) })
            }
            let byBytes = aligned.map { a in
                SVGPlot.Series(
                    name: a.name,
                    points: zip(a.rounds, zip(a.accuracies, a.bytes)).filter { $0.0 > 0 }.map {
                        SVGPlot.Point(x: ReportStatistics.median($0.1.1), y: ReportStatistics.median($0.1.0))
                    })
            }
            out["\(start.rawValue)_accuracy_vs_rounds.svg"] = SVGPlot(
                title: "SST-2, MiniLM \(settings.subset), \(start.rawValue) start: dev accuracy vs rounds", xLabel: "round",
                yLabel: "dev accuracy (median, band = min-max over seeds)", yRange: 0.5...1, series: byRound, rules: rules)
            out["\(start.rawValue)_accuracy_vs_bytes.svg"] = SVGPlot(
                title: "SST-2, MiniLM \(settings.subset), \(start.rawValue) start: dev accuracy vs communication",
                xLabel: "cumulative bytes, up + down, all clients (log scale)", yLabel: "dev accuracy (median over seeds)",
                xScale: .log10, yRange: 0.5...1, series: byBytes, rules: rules,
                xTickFormat: { ReportFormat.bytes($0, trimmed: true).replacingOccurrences(of: " ", with: "\u{a0}") })
        }
        return out
    }

    /// Writes `report.md`, `report.json` and the plots into `directory`.
    ///
    /// - Throws: `ReportError` when a record cannot be read or a file cannot be written.
    public func write(to directory: URL) throws(ReportError) {
        var curves: [SST2FinetuneScenario.Start: [ReportCurve]] = [:]
        for start in settings.starts {
            let head = start == .probe ? probe?.head : nil
            if start == .probe && probe == nil { continue }
            // The rule of ``init(directory:settings:)``: a rate is chosen once its grid stops widening.
            let chosen = Dictionary(uniqueKeysWithValues: rows.filter { $0.start == start && $0.nextRate == nil }.compactMap { row in
                row.choice.learningRate.map { (row.method, $0) }
            })
            curves[start] = try Self.finishedCurves(
                Self.finalDirectory(directory, start), plan: settings.finalPlan(start: start, probeHead: head, chosen: chosen)
            ).filter { chosen[$0.method] == $0.learningRate }
        }
        try AtomicFile.write(markdown(), to: directory.appendingPathComponent("report.md"))
        try ReportJSON.write(self, to: directory.appendingPathComponent("report.json"))
        for (name, plot) in try plots(curves: curves) {
            try AtomicFile.write(plot.render(), to: directory.appendingPathComponent(name))
        }
    }
}
