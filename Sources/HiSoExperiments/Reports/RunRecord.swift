import Foundation
import HiSoFederation

/// One run as saved beside its curve: what ran (the task and the run's full configuration), which
/// code ran it (``provenance``) and how it went. ``ComparisonFiles`` writes it as
/// `runs/<method>_lr<lr>_seed<seed>.json`, so that a later invocation on the same directory can
/// reuse a finished run instead of repeating it
/// (``ComparisonFiles/reusableCurve(task:configuration:method:learningRate:seed:divergenceLossMultiple:)``).
public struct RunRecord: Codable, Sendable, Equatable {
    /// The task the run trained on.
    public var task: TaskSpecification
    /// The run's configuration (method, learning rate and seed included).
    public var configuration: RunConfiguration
    /// The curve, status and timing.
    public var curve: ReportCurve
    /// The training-loss divergence multiple the run was held to (``ExperimentPlan/divergenceLossMultiple``).
    public var divergenceLossMultiple: Double?
    /// The package version, backend, threads, platform and commit that ran it (`nil` in records
    /// written before it was recorded).
    public var provenance: RunProvenance?

    /// Makes a record.
    ///
    /// - Parameters:
    ///   - task: the task the run trained on.
    ///   - configuration: the run's configuration.
    ///   - curve: the curve, status and timing.
    ///   - divergenceLossMultiple: the training-loss divergence multiple the run was held to.
    ///   - provenance: which code ran it; `nil` records this build's
    ///     (`RunProvenance.current(for: configuration)`).
    public init(
        task: TaskSpecification, configuration: RunConfiguration, curve: ReportCurve, divergenceLossMultiple: Double? = nil,
        provenance: RunProvenance? = nil
    ) {
        self.task = task
        self.configuration = configuration
        self.curve = curve
        self.divergenceLossMultiple = divergenceLossMultiple
        self.provenance = provenance ?? .current(for: configuration)
    }

    /// Why this record cannot be reused or continued by the running build (`RunProvenance.mismatch(resuming:)`;
    /// a record without provenance is refused too), or `nil` when it can.
    public var provenanceMismatch: String? {
        let current = RunProvenance.current(for: configuration)
        guard let provenance else { return "it records no package version, backend or thread count" }
        return provenance.mismatch(resuming: current)
    }
}
