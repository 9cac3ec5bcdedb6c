import HiSoFederation

/// A comparison summary with its context: which task, how many runs finished, and whether the
/// comparison is complete. Its JSON is the `hiso compare --json` object and `summary.json`:
/// `{"task", "status", "runs_completed", "runs_planned", "targets", "baseline", "methods": [...]}`
/// with `methods` as described in ``ComparisonSummary``, and `provenance` when recorded.
public struct ComparisonDocument: Encodable, Sendable {
    /// The task name.
    public var task: String
    /// A one-line description of the setting (data, model, clients, rounds).
    public var setting: String
    /// `complete` or `partial` (interrupted before every run finished).
    public var status: String
    /// Runs finished (any status).
    public var runsCompleted: Int
    /// Runs planned.
    public var runsPlanned: Int
    /// The summary.
    public var summary: ComparisonSummary
    /// The package version, backend, threads, platform and commit that ran it (`nil`: not recorded).
    public var provenance: RunProvenance?

    /// Makes a document.
    ///
    /// - Parameters:
    ///   - task: the task name.
    ///   - setting: a one-line description of the setting.
    ///   - runsCompleted: runs finished (any status).
    ///   - runsPlanned: runs planned.
    ///   - summary: the summary.
    ///   - provenance: which code ran it (`nil`: not recorded).
    public init(
        task: String, setting: String, runsCompleted: Int, runsPlanned: Int, summary: ComparisonSummary, provenance: RunProvenance? = nil
    ) {
        self.provenance = provenance
        self.task = task
        self.setting = setting
        self.status = runsCompleted >= runsPlanned ? "complete" : "partial"
        self.runsCompleted = runsCompleted
        self.runsPlanned = runsPlanned
        self.summary = summary
    }

    private enum Keys: String, CodingKey {
        case task, setting, status, targets, baseline, methods, provenance
        case runsCompleted = "runs_completed"
        case runsPlanned = "runs_planned"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(task, forKey: .task)
        try c.encode(setting, forKey: .setting)
        try c.encode(status, forKey: .status)
        try c.encode(runsCompleted, forKey: .runsCompleted)
        try c.encode(runsPlanned, forKey: .runsPlanned)
        try c.encode(summary.targets, forKey: .targets)
        try c.encode(summary.baseline, forKey: .baseline)
        try c.encode(summary.methods, forKey: .methods)
        try c.encodeIfPresent(provenance, forKey: .provenance)
    }

    /// `task: setting (complete|partial: n/N runs)`.
    public var headline: String {
        "\(task): \(setting) (\(status == "complete" ? "" : "PARTIAL, ")\(runsCompleted)/\(runsPlanned) runs)"
    }

    /// A markdown report: headline, the two tables and the plots.
    public func markdown() -> String {
        var out = "# Comparison: \(task)\n\n\(setting)\n\n"
        out += "Status: \(status) (\(runsCompleted)/\(runsPlanned) runs).\n\n"
        out += summary.markdownTables()
        out += "\n![accuracy vs rounds](accuracy_vs_rounds.svg)\n\n![accuracy vs bytes](accuracy_vs_bytes.svg)\n"
        return out
    }
}
