import HiSoOptim

extension RunConfiguration {
    /// The preconditioner the configuration asks for, at `H = 1`.
    ///
    /// HiSo: a `HiSoPreconditioner` with the configured rule and floor, or for the curvature
    /// rule a `CurvaturePreconditioner` with its documented defaults (`beta`, `phi`, `rho`; the
    /// peer rule's ``beta`` and ``hessianFloor`` do not apply); every other method: the
    /// identity. Server, clients and a resuming run all start from it.
    ///
    /// - Throws: ``FederationError/invalidConfiguration(key:value:expected:)`` when HiSo rejects
    ///   the rule or the floor.
    /// - Complexity: O(d); memory: `2 d` floats for HiSo's H and s (`3 d` for the curvature rule).
    public func makePreconditioner(dimension: Int) throws(FederationError) -> any Preconditioner {
        guard method == .hiso else { return IdentityPreconditioner() }
        let rule: HiSoPreconditioner.Rule
        switch hessianRule {
        case .curvature:
            do {
                return try CurvaturePreconditioner(dimension: dimension)
            } catch {
                throw .invalidConfiguration(key: "hessianRule", value: "curvature", expected: error.description)
            }
        case .peer:
            rule = .peer(step: hessianStep, beta: beta)
        case .paper:
            rule = .paper(nu: nu, epsilon: epsilon)
        }
        do {
            return try HiSoPreconditioner(dimension: dimension, rule: rule, floor: hessianFloor)
        } catch {
            throw .invalidConfiguration(key: "hessianRule", value: "\(rule)", expected: error.description)
        }
    }
}
