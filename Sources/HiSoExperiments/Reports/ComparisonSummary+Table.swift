/// Human-readable tables of a comparison (terminal text and markdown).
extension ComparisonSummary {
    /// The cells of the rounds table: method, learning rate, one `median [min-max]` cell per
    /// target, final accuracy, ms/round.
    func roundsCells() -> (header: [String], rows: [[String]]) {
        let header = ["method", "lr"] + targets.map { "to \(ReportFormat.percent($0))" } + ["final acc [min-max]", "ms/round"]
        let rows = methods.map { m in
            [m.method, ReportFormat.learningRate(m.learningRate)]
                + m.targets.map { Self.roundsCell($0, runLength: m.rounds) }
                + [
                    "\(ReportFormat.fixed(m.finalAccuracy, 3)) [\(ReportFormat.fixed(m.finalAccuracyMin, 3))-\(ReportFormat.fixed(m.finalAccuracyMax, 3))]",
                    ReportFormat.fixed(m.millisecondsPerRound, m.millisecondsPerRound < 10 ? 3 : 1),
                ]
        }
        return (header, rows)
    }

    /// The cells of the traffic table: method, speedup and bytes per target, bytes per round.
    func trafficCells() -> (header: [String], rows: [[String]]) {
        let header = ["method"]
            + targets.flatMap { ["speedup \(ReportFormat.percent($0))", "bytes to \(ReportFormat.percent($0))"] }
            + ["bytes/round"]
        let rows = methods.map { m in
            [m.method]
                + m.targets.flatMap { t in
                    [t.speedup.map { ReportFormat.fixed($0, 2) + "x" } ?? "-", t.medianBytes.map { ReportFormat.bytes($0) } ?? "-"]
                }
                + [ReportFormat.bytes(m.bytesPerRound)]
        }
        return (header, rows)
    }

    /// The cells of the same-rate table: method, the two rates each speedup compares, and per
    /// target the speedup with the baseline run at the method's rate (`-`: not run or not reached).
    func sameRateCells() -> (header: [String], rows: [[String]]) {
        let header = ["method", "rates compared"] + targets.map { "same-rate speedup \(ReportFormat.percent($0))" }
        let base = baselineLearningRate.map(ReportFormat.learningRate) ?? "-"
        let rows = methods.map { m in
            [m.method, "\(ReportFormat.learningRate(m.learningRate)) vs \(base)"]
                + m.targets.map { t in t.sameRateSpeedup.map { ReportFormat.fixed($0, 2) + "x" } ?? "-" }
        }
        return (header, rows)
    }

    /// `median [min-max]`: `-` when the median seed did not reach the target; the max is shown
    /// as `>R` (R = the run length) when some seed did not reach it.
    static func roundsCell(_ t: TargetResult, runLength: Int) -> String {
        let median = t.medianRounds.map(ReportFormat.rounds) ?? "-"
        guard let low = t.minRounds else { return median }
        let high = t.maxRounds.map(String.init) ?? ">\(runLength)"
        return "\(median) [\(low)-\(high)]"
    }

    /// The two tables as terminal text, each with a one-line legend, then incomplete runs and
    /// the learning-rate choices when a grid was run.
    public func textTable() -> String {
        let seedCount = methods.map(\.seeds.count).max() ?? 0
        let r = roundsCells()
        let t = trafficCells()
        var out = "Rounds to target test accuracy: median [min-max] over \(seedCount) seed\(seedCount == 1 ? "" : "s") "
            + "('-' = the median seed never reached it; '>R' = some seed did not within R rounds)\n"
        out += ReportFormat.columns(r.header, r.rows, leftAligned: 2)
        out += "\nSpeedup in rounds vs \(baseline ?? "the baseline (absent)") and median cumulative bytes (up + down, all clients) to each target\n"
        out += ReportFormat.columns(t.header, t.rows)
        let same = sameRateCells()
        out += "\nRates each speedup compares (method's vs \(baseline ?? "baseline")'s), and the speedup with \(baseline ?? "the baseline") at the method's rate\n"
        out += ReportFormat.columns(same.header, same.rows)
        let notes = methods.flatMap { m in m.incomplete.map { "\(m.method) \($0)" } }
        if !notes.isEmpty { out += "\nIncomplete runs:\n" + notes.map { "  " + $0 }.joined(separator: "\n") + "\n" }
        let grids = methods.filter { $0.grid.count > 1 }
        if !grids.isEmpty {
            out += "\nLearning rate chosen per method (fewest median rounds to the highest target reached; see ComparisonSummary):\n"
            for m in grids {
                let cells = m.grid.map { c in
                    let best = Array(zip(targets, c.medianRounds)).last { $0.1 != nil }
                    let what = best.map { "\(ReportFormat.rounds($0.1!)) to \(ReportFormat.percent($0.0))" } ?? "final \(ReportFormat.fixed(c.medianFinalAccuracy, 3))"
                    return "\(ReportFormat.learningRate(c.learningRate)): \(what)\(c.selected ? " *" : "")"
                }
                out += "  \(m.method): " + cells.joined(separator: ", ") + "\n"
            }
        }
        return out
    }

    /// The two tables as GitHub markdown.
    public func markdownTables() -> String {
        func md(_ header: [String], _ rows: [[String]]) -> String {
            var out = "| " + header.joined(separator: " | ") + " |\n"
            out += "|" + header.indices.map { $0 == 0 ? "---" : "---:" }.joined(separator: "|") + "|\n"
            for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
            return out
        }
        let r = roundsCells()
        let t = trafficCells()
        var out = md(r.header, r.rows)
        out += "\n" + md(t.header, t.rows)
        let same = sameRateCells()
        out += "\nRates each speedup compares, and the speedup with \(baseline ?? "the baseline") at the method's own rate:\n\n"
        out += md(same.header, same.rows)
        let grids = methods.filter { $0.grid.count > 1 }
        if !grids.isEmpty {
            out += "\nLearning-rate grid (median rounds to each target; the selected rate is in bold):\n\n"
            var header = ["method", "lr"] + targets.map { "to \(ReportFormat.percent($0))" }
            header.append("final acc")
            var rows: [[String]] = []
            for m in grids {
                for c in m.grid {
                    let lr = ReportFormat.learningRate(c.learningRate)
                    rows.append([m.method, c.selected ? "**\(lr)**" : lr]
                        + c.medianRounds.map { $0.map(ReportFormat.rounds) ?? "-" }
                        + [ReportFormat.fixed(c.medianFinalAccuracy, 3)])
                }
            }
            out += md(header, rows)
        }
        return out
    }
}
