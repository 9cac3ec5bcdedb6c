import HiSoOptim

extension RunConfiguration {
    /// The ZO estimator of this configuration: ``perturbations`` directions of radius ``mu`` with
    /// the configured difference scheme (`P + 1` losses per step forward, `2 P` central), measuring
    /// the second differences too (`2 P + 1` losses, `2 P` scalars) for HiSo's curvature rule.
    ///
    /// - Throws: ``FederationError/invalidConfiguration(key:value:expected:)`` when the estimator
    ///   rejects `P` or `mu`.
    /// - Complexity: O(1); memory: none.
    public func makeEstimator() throws(FederationError) -> ZOEstimator {
        do {
            return try ZOEstimator(perturbations: perturbations, mu: mu, scheme: scheme, curvature: learnsCurvature)
        } catch {
            throw .invalidConfiguration(key: "perturbations/mu/scheme", value: "\(perturbations)/\(mu)/\(scheme)", expected: error.description)
        }
    }

    /// Whether clients measure and upload second differences (HiSo with the curvature rule).
    public var learnsCurvature: Bool { method == .hiso && hessianRule == .curvature }

    /// Scalars a sampled client uploads per round: `tau P`, or `2 tau P` with curvature.
    public var scalarsPerUpload: Int { localSteps * perturbations * (learnsCurvature ? 2 : 1) }
}
