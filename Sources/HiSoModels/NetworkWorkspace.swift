/// Preallocated activation memory for one ``Network`` and batches of up to ``capacity`` samples.
///
/// Holds one buffer per compiled activation (zero-bordered padded copies of convolution inputs
/// included), one im2col block, a copy of the row-split convolutions' weights and, after the
/// first gradient call, the matching backward
/// buffers. No pass allocates after
/// that. A workspace is mutable scratch: use one per thread (it is deliberately not `Sendable`).
///
/// Memory: `4 * (capacity * activation floats per sample + one im2col block)` bytes (see
/// ``floatCount``); the backward buffers double that on first use.
public final class NetworkWorkspace {
    /// The largest batch this workspace accepts.
    public let capacity: Int
    let plan: ExecutionPlan
    let activations: [UnsafeMutablePointer<Float>]
    let cols: UnsafeMutablePointer<Float>
    /// The row-split convolutions' reordered weights (``ConvStep/splitsKernelRows``).
    let splitWeights: UnsafeMutablePointer<Float>
    private(set) var gradients: [UnsafeMutablePointer<Float>] = []
    private(set) var columnGradients: UnsafeMutablePointer<Float>?

    init(plan: ExecutionPlan, capacity: Int) {
        self.capacity = capacity
        self.plan = plan
        activations = plan.buffers.map { Self.allocate($0.perSample * capacity) }
        cols = Self.allocate(plan.columnScratch(capacity: capacity))
        splitWeights = Self.allocate(plan.splitWeightScratch)
    }

    deinit {
        for p in activations { p.deallocate() }
        cols.deallocate()
        splitWeights.deallocate()
        for p in gradients { p.deallocate() }
        columnGradients?.deallocate()
    }

    /// Total floats held now (activations, scratch and any backward buffers).
    public var floatCount: Int {
        let activations = capacity * plan.buffers.reduce(0) { $0 + $1.perSample }
        return (activations + plan.columnScratch(capacity: capacity)) * (gradients.isEmpty ? 1 : 2)
            + plan.splitWeightScratch
    }

    /// Allocates the backward buffers on first use.
    func prepareGradients() {
        guard gradients.isEmpty else { return }
        gradients = plan.buffers.map { Self.allocate($0.perSample * capacity) }
        columnGradients = Self.allocate(plan.columnScratch(capacity: capacity))
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
        return p
    }
}
