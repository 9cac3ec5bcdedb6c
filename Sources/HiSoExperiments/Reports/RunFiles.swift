import Foundation
import HiSoFederation

/// The files of one training run in an output directory, kept valid at every moment:
/// `config.json` (written once), `curve.csv` and `summary.json` (rewritten atomically as the
/// run progresses, at most once per ``minimumInterval`` seconds, and at the end).
///
/// If the process stops at any point (Ctrl-C, divergence, a crash), the directory holds a
/// parseable curve up to a recent evaluation and a summary whose `status` says `running`,
/// `interrupted` or `diverged`.
public final class RunFiles {
    /// The output directory.
    public let directory: URL
    /// The shortest time between two rewrites during the run, in seconds.
    public let minimumInterval: Double
    private let roundsPlanned: Int
    private let targets: [Double]
    private let provenance: RunProvenance?
    private var lastWrite: ContinuousClock.Instant?

    /// The curve file.
    public var curveURL: URL { directory.appendingPathComponent("curve.csv") }
    /// The summary file.
    public var summaryURL: URL { directory.appendingPathComponent("summary.json") }
    /// The configuration file.
    public var configURL: URL { directory.appendingPathComponent("config.json") }

    /// Creates the directory and writes the configuration.
    ///
    /// - Parameters:
    ///   - directory: the output directory (created with its parents).
    ///   - configuration: what to store as `config.json`.
    ///   - roundsPlanned: the run length, for the summary.
    ///   - targets: target accuracies, for the summary.
    ///   - minimumInterval: seconds between rewrites during the run (default 1).
    ///   - provenance: which code runs it, recorded in `summary.json`.
    /// - Throws: `ReportError` when the directory or the file cannot be written.
    public init<C: Encodable>(
        directory: URL, configuration: C, roundsPlanned: Int, targets: [Double], minimumInterval: Double = 1,
        provenance: RunProvenance? = nil
    ) throws(ReportError) {
        self.provenance = provenance
        self.directory = directory
        self.roundsPlanned = roundsPlanned
        self.targets = targets
        self.minimumInterval = minimumInterval
        try AtomicFile.createDirectory(directory)
        try ReportJSON.write(configuration, to: configURL)
    }

    /// Rewrites the curve and the summary if ``minimumInterval`` passed since the last write
    /// (or `force` is set).
    ///
    /// - Returns: whether the files were written.
    @discardableResult
    public func update(_ curve: ReportCurve, force: Bool = false) throws(ReportError) -> Bool {
        let now = ContinuousClock.now
        if !force, let last = lastWrite, now - last < .milliseconds(Int64(minimumInterval * 1000)) { return false }
        lastWrite = now
        try curve.csvTable.write(to: curveURL)
        try ReportJSON.write(RunSummary(curve: curve, roundsPlanned: roundsPlanned, targets: targets, provenance: provenance), to: summaryURL)
        return true
    }

    /// Writes the final curve and summary.
    public func finish(_ curve: ReportCurve) throws(ReportError) {
        try update(curve, force: true)
    }
}
