/// Where a fused kernel takes its direction `z` from.
///
/// - ``stream(seed:stream:offset:)``: generated on the fly, chunk by chunk (no d-sized memory);
///   buffer element `i` pairs with stream element `offset + i`.
/// - ``buffer(_:)``: read from a buffer that holds the same stream, filled once by
///   ``PerturbationKernels/fillNormal(_:seed:stream:offset:)`` (d floats, reused over passes).
///
/// - ``record(seed:stream:offset:into:)``: generated like ``stream(seed:stream:offset:)`` and
///   also stored into a buffer, so that later passes can read it as ``buffer(_:)``.
///
/// All three give the same bits when the buffer holds the stream.
enum ZODirection {
    case stream(seed: UInt64, stream: UInt64, offset: Int)
    case buffer(UnsafePointer<Float>)
    case record(seed: UInt64, stream: UInt64, offset: Int, into: UnsafeMutablePointer<Float>)

    /// The same direction restricted to the buffer window starting at element `start`.
    @inline(__always)
    func advanced(by start: Int) -> ZODirection {
        switch self {
        case .stream(let seed, let stream, let offset):
            return .stream(seed: seed, stream: stream, offset: offset + start)
        case .buffer(let z):
            return .buffer(z + start)
        case .record(let seed, let stream, let offset, let into):
            return .record(seed: seed, stream: stream, offset: offset + start, into: into + start)
        }
    }
}

/// The fused single-direction passes of a ZO step (internal; used by ``FusedZOStep``).
///
/// Per element, with `z` from the ``ZODirection`` and `s` optional:
/// - ``stepPerturb``: `x = x + (alpha * s) * z` (`x + alpha * z` without `s`), the bits of
///   ``PerturbationKernels/perturb(_:alpha:scale:seed:stream:offset:)``;
/// - ``stepRestoreUpdate``: `x = x + s * (0 + c * z)`, the bits of
///   ``PerturbationKernels/accumulate(_:coefficients:scale:seed:offset:)`` with one stream;
/// - ``stepHiSoUpdate``: with the old `s`, `x = x + s * (0 + c * z)`, `d = s * (0 + g * z)`,
///   `h = beta * h + ((1 - beta) * d) * d`, and when `floor` is given `s = 1 / sqrt(max(h, floor))`
///   (the bits of accumulate, hessianEMA and refreshScale run one after another).
protocol FusedStepKernels {
    func stepPerturb(
        _ x: UnsafeMutableBufferPointer<Float>, alpha: Float, scale: UnsafeBufferPointer<Float>?,
        direction: ZODirection)
    func stepRestoreUpdate(
        _ x: UnsafeMutableBufferPointer<Float>, coefficient: Float, scale: UnsafeBufferPointer<Float>?,
        direction: ZODirection)
    func stepHiSoUpdate(
        _ x: UnsafeMutableBufferPointer<Float>, hessian h: UnsafeMutableBufferPointer<Float>,
        scale s: UnsafeMutableBufferPointer<Float>, restoreCoefficient: Float, updateCoefficient: Float,
        beta: Float, floor: Float?, direction: ZODirection)
}
