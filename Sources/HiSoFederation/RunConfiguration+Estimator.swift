import HiSoOptim

extension RunConfiguration {
    /// The ZO estimator of this configuration: ``perturbations`` directions of radius ``mu`` with
    /// the configured difference scheme (`P + 1` losses per step forward, `2 P` central).
    ///
    /// - Throws: ``FederationError/invalidConfiguration(key:value:expected:)`` when the estimator
    ///   rejects `P` or `mu`.
    /// - Complexity: O(1); memory: none.
    public func makeEstimator() throws(FederationError) -> ZOEstimator {
        do {
            return try ZOEstimator(perturbations: perturbations, mu: mu, scheme: scheme)
        } catch {
            throw .invalidConfiguration(key: "perturbations/mu", value: "\(perturbations)/\(mu)", expected: error.description)
        }
    }
}
