/// Argument checks shared by both backends' stream kernels.
///
/// These are programmer errors inside the package (mismatched buffer lengths, negative offsets),
/// so they are preconditions, not thrown errors.
enum StreamKernelChecks {
    /// An elementwise kernel over `count` elements with an optional scale of the same length.
    @inline(__always)
    static func elementwise(_ count: Int, scale: UnsafeBufferPointer<Float>?, offset: Int) {
        precondition(offset >= 0, "negative stream offset \(offset)")
        if let scale { precondition(scale.count == count, "scale has \(scale.count) elements, expected \(count)") }
    }

    /// ``PerturbationKernels/perturbed(_:into:alpha:scale:seed:stream:offset:)``.
    @inline(__always)
    static func perturbed(
        _ x: UnsafeBufferPointer<Float>, _ out: UnsafeMutableBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?,
        offset: Int
    ) {
        precondition(out.count == x.count, "output has \(out.count) elements, input \(x.count)")
        elementwise(x.count, scale: scale, offset: offset)
    }

    /// ``PerturbationKernels/hessianPaperUpdate(_:scale:coefficients:clients:seed:nu:epsilon:offset:)``.
    @inline(__always)
    static func paper(
        _ count: Int, scale: UnsafeBufferPointer<Float>, coefficients: UnsafeBufferPointer<Float>, clients: Int,
        offset: Int
    ) {
        elementwise(count, scale: scale, offset: offset)
        precondition(clients >= 1, "clients must be at least 1, found \(clients)")
        precondition(
            coefficients.count % clients == 0,
            "\(coefficients.count) coefficients do not split into \(clients) client rows")
    }

    /// A ``FusedStepKernels`` pass.
    @inline(__always)
    static func direction(_ count: Int, scale: UnsafeBufferPointer<Float>?, direction: ZODirection) {
        switch direction {
        case .stream(_, _, let offset), .record(_, _, let offset, _):
            elementwise(count, scale: scale, offset: offset)
        case .buffer:
            elementwise(count, scale: scale, offset: 0)
        }
    }

    /// ``FusedStepKernels/stepHiSoUpdate``.
    @inline(__always)
    static func hiso(_ x: Int, _ h: Int, _ s: Int, direction: ZODirection) {
        precondition(h == x && s == x, "hessian (\(h)) and scale (\(s)) must match the parameters (\(x))")
        Self.direction(x, scale: nil, direction: direction)
    }
}
