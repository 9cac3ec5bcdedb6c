import HiSoKernels

/// The identity preconditioner: `H = I`, directions `u = z`. This is DeComFL.
///
/// The kernels receive `scale: nil`, which gives exactly the bits of the unscaled formulas.
/// Memory: none.
public struct IdentityPreconditioner: Preconditioner, Codable, Equatable {
    /// Makes the identity.
    public init() {}

    /// Always `nil`.
    public var scale: [Float]? { nil }
    /// Always `nil`.
    public var hessian: [Float]? { nil }
    /// Always `false`.
    public var needsPerClientScalars: Bool { false }

    /// Does nothing: the identity never changes.
    public mutating func update(after record: RoundRecord, backend: any KernelBackend) throws(OptimError) {}
}
