extension QuadraticExperiment {
    /// A Markdown table of the rows: spectrum, method, chosen rate, median [min, max] rounds to
    /// target, seeds reached, median correlation (raw and log) of `H` with `diag(A)`, and the
    /// median effective dimension.
    public static func markdownTable(_ rows: [Row]) -> String {
        func number(_ value: Double?, digits: Int = 2) -> String {
            guard let value, value.isFinite else { return "n/a" }
            let scale = Double((0..<digits).reduce(1) { r, _ in r * 10 })
            return "\((value * scale).rounded() / scale)"
        }
        var lines = [
            "| spectrum | method | lr | rounds to target: median [min, max] | reached | corr(H, diag A) | corr(log H, log diag A) | effective dim |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in rows {
            let rate = row.learningRate.map { "\($0)" } ?? "none"
            let median = row.medianRounds.map { "\(Int($0.rounded()))" } ?? "not reached"
            let range = "[\(row.minRounds.map(String.init) ?? "-"), \(row.maxRounds.map(String.init) ?? "> budget")]"
            lines.append(
                "| \(row.spectrum) | \(row.method) | \(rate) | \(median) \(range) | \(row.reached)/\(row.runs.count) | "
                    + "\(number(row.medianCorrelation)) | \(number(row.medianLogCorrelation)) | \(number(row.medianEffectiveDimension, digits: 0)) |")
        }
        return lines.joined(separator: "\n")
    }
}
