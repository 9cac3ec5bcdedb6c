extension QuadraticSweep {
    /// The fraction of the DeComFL-to-oracle gap in median rounds that `method` closes,
    /// `(R_DeComFL - R_method) / (R_DeComFL - R_oracle)`: 1 is as fast as the oracle, 0 as slow as
    /// DeComFL, negative slower. `nil` when DeComFL or the oracle did not reach the target (median
    /// over the reported seeds), when there is no gap (`R_DeComFL <= R_oracle`), or when the
    /// method's median is "not reached" (then the table says so).
    public static func gapClosed(decomfl: Double?, oracle: Double?, method: Double?) -> Double? {
        guard let d = decomfl, let o = oracle, let m = method, d > o else { return nil }
        return (d - m) / (d - o)
    }

    /// The Markdown report of a (possibly partial) sweep: the setting and selection rule, the
    /// gap-closed summary per cell, one table per cell, and the units still missing.
    ///
    /// - Parameter results: the finished units (any order); the report follows ``units`` order.
    public func markdownReport(_ results: [UnitResult]) -> String {
        let byKey = Dictionary(results.map { ("\($0.cell.key)/\($0.row.method.rawValue)", $0) }, uniquingKeysWith: { a, _ in a })
        func result(_ cell: Cell, _ method: QuadraticExperiment.Method) -> UnitResult? { byKey["\(cell.key)/\(method.rawValue)"] }
        func number(_ value: Double?, digits: Int = 2) -> String {
            guard let value, value.isFinite else { return "n/a" }
            var scale = 1.0
            for _ in 0..<digits { scale *= 10 }
            return "\((value * scale).rounded() / scale)"
        }
        func rounds(_ r: UnitResult?) -> String {
            guard let r else { return "(missing)" }
            guard r.row.learningRate != nil else { return "no rate reached" }
            return r.row.medianRounds.map { "\(Int($0.rounded()))" } ?? "not reached"
        }
        let b = base
        var lines = [
            "# Quadratic lab sweep",
            "",
            "`f(x) = 1/2 (x - x*)ᵀ A (x - x*)`, `x0 = 0`; rounds until `f <= tol · f(x0)`. One client, one local step, "
                + "`P = \(b.perturbations)`, `mu = \(b.mu)`, \(b.scheme) differences (hiso-curv: central with second differences, "
                + "`2P + 1 = \(2 * b.perturbations + 1)` losses per round instead of `P + 1 = \(b.perturbations + 1)`); "
                + "budget \(b.maxRounds) rounds; peer beta \(b.peerBeta), paper nu \(b.paperNu), "
                + "hiso-curv beta \(b.curvatureBeta), phi \(b.curvatureFloor), rho \(b.curvatureClip).",
            "",
            "**Rate selection.** Grid \(b.learningRates.sorted().map { "\($0)" }.joined(separator: ", ")). For each "
                + "(cell, method) the rate is chosen on \(b.tuningSeeds) tuning seeds (seeds \(b.seeds)...\(b.seeds + b.tuningSeeds - 1), "
                + "never reported): the smallest median rounds to tolerance among the rates at which no tuning seed diverged; a tie "
                + "keeps the larger rate. The table reports seeds 0...\(b.seeds - 1) at that rate: median [min, max] rounds, an "
                + "unreached seed counts as not reached (infinitely slow) in the median.",
            "",
            "**Gap closed** = `(R_DeComFL - R_method) / (R_DeComFL - R_oracle)` on the medians; n/a when DeComFL or the oracle "
                + "does not reach the tolerance or there is no gap.",
            "",
        ]
        let planned = units
        let finished = planned.filter { result($0.cell, $0.method) != nil }
        lines.append("Finished \(finished.count) of \(planned.count) planned units.")
        for (prefix, reason) in excluded.sorted(by: { $0.key < $1.key }) {
            lines.append("Not planned: `\(prefix)` (\(reason)).")
        }
        lines.append("Power-law spectra have `max λ = 1` already: their unscaled cell is the scaled one and is not run twice.")
        lines += [
            "",
            "## Gap closed",
            "",
            "| cell | DeComFL | oracle | peer | paper | hiso-curv | gap: peer | gap: paper | gap: hiso-curv | corr(H, diag A): hiso-curv |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for cell in cells {
            let d = result(cell, .decomfl)?.row.medianRounds
            let o = result(cell, .oracle)?.row.medianRounds
            func gap(_ m: QuadraticExperiment.Method) -> String {
                guard let r = result(cell, m) else { return "(missing)" }
                if r.row.medianRounds == nil, d != nil { return "not reached" }
                return number(Self.gapClosed(decomfl: d, oracle: o, method: r.row.medianRounds))
            }
            lines.append(
                "| \(cell.key) | \(rounds(result(cell, .decomfl))) | \(rounds(result(cell, .oracle))) | "
                    + "\(rounds(result(cell, .hisoPeer))) | \(rounds(result(cell, .hisoPaper))) | \(rounds(result(cell, .hisoCurv))) | "
                    + "\(gap(.hisoPeer)) | \(gap(.hisoPaper)) | \(gap(.hisoCurv)) | "
                    + "\(number(result(cell, .hisoCurv)?.row.medianCorrelation)) |")
        }
        lines += ["", "## Cells", ""]
        for cell in cells {
            let rows = methods.compactMap { result(cell, $0)?.row }
            guard !rows.isEmpty else { continue }
            lines += ["### \(cell.key)", "", QuadraticExperiment.markdownTable(rows), ""]
        }
        let missing = planned.filter { result($0.cell, $0.method) == nil }
        if !missing.isEmpty {
            lines += ["## Not finished", ""]
            lines += missing.map { "- \($0.cell.key) \($0.method)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
