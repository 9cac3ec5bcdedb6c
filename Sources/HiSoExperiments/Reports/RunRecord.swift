import Foundation
import HiSoFederation

/// One run as saved beside its curve: what ran (the task and the run's full configuration) and
/// how it went. ``ComparisonFiles`` writes it as `runs/<method>_lr<lr>_seed<seed>.json`, so that
/// a later invocation on the same directory can reuse a finished run instead of repeating it
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

    public init(task: TaskSpecification, configuration: RunConfiguration, curve: ReportCurve, divergenceLossMultiple: Double? = nil) {
        self.task = task
        self.configuration = configuration
        self.curve = curve
        self.divergenceLossMultiple = divergenceLossMultiple
    }
}
