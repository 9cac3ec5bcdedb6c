import HiSoFederation

extension ComparisonFiles {
    /// The curves of every run of `plan`, read from the run records in this directory (written by
    /// the whole grid or by all of its shards), in plan order: the merge step of a sharded grid.
    ///
    /// - Throws: `ReportError.invalidInput(what:reason:)` listing the runs without a finished
    ///   record (run their shards first), or a read error.
    /// - Complexity: one record read per run.
    public func mergedCurves(_ plan: ExperimentPlan) throws(ReportError) -> [ReportCurve] {
        var curves: [ReportCurve] = []
        var missing: [String] = []
        for run in plan.runs {
            if let curve = try reusableCurve(
                task: plan.task, configuration: run.configuration, method: run.method.rawValue,
                learningRate: run.learningRate, seed: run.seed)
            {
                curves.append(curve)
            } else {
                missing.append("\(run.method) lr \(run.learningRate) seed \(run.seed)")
            }
        }
        guard missing.isEmpty else {
            throw .invalidInput(
                what: "merging \(directory.path)",
                reason: "\(missing.count) of \(plan.runs.count) runs have no finished record (\(missing.prefix(5).joined(separator: "; "))\(missing.count > 5 ? "; ..." : "")); run their shards first")
        }
        return curves
    }

    /// Summarises `curves` (in plan order) and writes the report files (``writeSummary(_:curves:)``).
    ///
    /// - Parameters:
    ///   - curves: the finished curves so far.
    ///   - setting: the one-line description of the setting.
    ///   - planned: how many runs the grid has.
    ///   - targets: the target accuracies.
    /// - Returns: the document written.
    @discardableResult
    public func writeReport(
        _ curves: [ReportCurve], setting: String, planned: Int, targets: [Double]
    ) throws(ReportError) -> ComparisonDocument {
        let summary = try ComparisonSummary(curves: curves, targets: targets)
        let document = ComparisonDocument(
            task: title, setting: setting, runsCompleted: curves.filter { $0.status != .interrupted }.count,
            runsPlanned: planned, summary: summary)
        try writeSummary(document, curves: curves)
        return document
    }
}
