#if OpenBLAS
// PLACEHOLDER (issue 2): replaced by the real stream and fused kernels.
extension OpenBLASBackend {
    public func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, seed: UInt64, stream: UInt64, offset: Int) { preconditionFailure("pending") }
    public func perturb(_ x: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?, seed: UInt64, stream: UInt64, offset: Int) { preconditionFailure("pending") }
    public func perturbed(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?, seed: UInt64, stream: UInt64, offset: Int) { preconditionFailure("pending") }
    public func accumulate(_ x: UnsafeMutableBufferPointer<Float>, coefficients: UnsafeBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?, seed: UInt64, offset: Int) { preconditionFailure("pending") }
    public func hessianEMA(_ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>, coefficients: UnsafeBufferPointer<Float>, seed: UInt64, beta: Float, offset: Int) { preconditionFailure("pending") }
    public func hessianPaperUpdate(_ h: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>, coefficients: UnsafeBufferPointer<Float>, clients: Int, seed: UInt64, nu: Float, epsilon: Float, offset: Int) { preconditionFailure("pending") }
    public func refreshScale(_ s: UnsafeMutableBufferPointer<Float>, from h: UnsafeBufferPointer<Float>, floor: Float) { preconditionFailure("pending") }
}
#endif
