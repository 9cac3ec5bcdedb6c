import HiSoKernels

/// A feed-forward classifier that is a pure function of ONE flat float32 parameter vector.
///
/// The vector `x` (length ``parameterCount``) is the one the zeroth-order kernels perturb in
/// place or out of place; ``slices`` name its windows (`"0.weight"`, `"0.bias"`, ... in PyTorch
/// `Sequential` order and shapes, so a state dict maps 1:1). Every pass reads `x` through an
/// `UnsafeBufferPointer<Float>` without copying it, and keeps all activations in a
/// ``NetworkWorkspace`` made once for a maximum batch, so perturb / forward / restore allocates
/// nothing per step. All matrix products go through the `any KernelBackend` passed in.
///
/// Data layout: inputs are row-major `[count, channels, height, width]` floats (a flat
/// `[count, features]` matrix for flat inputs), labels are `Int32` class indices.
///
/// ```swift
/// let net = try Network.cnnMNIST()
/// var x = [Float](repeating: 0, count: net.parameterCount)
/// x.withUnsafeMutableBufferPointer { net.initializeParameters(into: $0, seed: 0) }
/// let ws = try net.makeWorkspace(batchSize: 64)
/// let backend = try Kernels.backend(threads: 1)
/// let loss = try x.withUnsafeBufferPointer { p in
///     try net.loss(parameters: p, inputs: images, labels: labels, count: 64, workspace: ws, backend: backend)
/// }
/// ```
///
/// Value type, `Sendable`; the mutable state lives in the workspace (one per thread).
public struct Network: Sendable, Hashable {
    /// Short name, e.g. `"cnn_mnist"`.
    public let name: String
    /// Per-sample input shape.
    public let inputShape: TensorShape
    /// The layers in order.
    public let layers: [Layer]
    /// Named parameter windows in flat-vector order (weight then bias per layer).
    public let slices: [ParameterSlice]
    /// Length of the flat parameter vector.
    public let parameterCount: Int
    /// Number of output classes (logits per sample).
    public let classCount: Int
    let plan: ExecutionPlan

    /// Builds a network and checks that every layer fits the shape before it.
    ///
    /// - Parameters:
    ///   - name: a short name for logs.
    ///   - inputShape: per-sample input shape (`.flat(n)` for feature vectors).
    ///   - layers: the layers; the last output must be flat with at least 2 classes.
    /// - Throws: ``ModelError/invalidArchitecture(layer:reason:)``.
    public init(name: String, inputShape: TensorShape, layers: [Layer]) throws(ModelError) {
        let compiled = try ExecutionPlan.compile(layers: layers, inputShape: inputShape)
        self.name = name
        self.inputShape = inputShape
        self.layers = layers
        self.slices = compiled.slices
        self.parameterCount = compiled.slices.reduce(0) { $0 + $1.count }
        self.classCount = compiled.outputShape.channels
        self.plan = compiled.plan
    }

    /// Input floats per sample, `inputShape.count`.
    public var inputFeatures: Int { inputShape.count }

    /// The slice called `name` (e.g. `"3.weight"`), or `nil`.
    public func slice(named name: String) -> ParameterSlice? {
        slices.first { $0.name == name }
    }

    /// Checks that data with `featureCount` features per sample (and, if given, `classCount`
    /// classes) fits this network.
    ///
    /// - Throws: ``ModelError/inputFeatureMismatch(expected:found:)`` or
    ///   ``ModelError/classCountMismatch(expected:found:)``.
    public func validate(inputFeatures featureCount: Int, classCount: Int? = nil) throws(ModelError) {
        guard featureCount == inputFeatures else {
            throw .inputFeatureMismatch(expected: inputFeatures, found: featureCount)
        }
        if let classCount, classCount != self.classCount {
            throw .classCountMismatch(expected: self.classCount, found: classCount)
        }
    }

    /// Makes a workspace for batches of up to `batchSize` samples.
    ///
    /// Memory: `4 * batchSize * (sum of activation sizes per sample)` bytes plus one im2col
    /// block of at most `max(2^17, one sample's columns)` floats (512 KiB for CNN_MNIST); the
    /// first ``lossAndGradient(parameters:inputs:labels:count:gradient:workspace:backend:)``
    /// call adds as much again for the backward buffers (once, not per call).
    /// ``NetworkWorkspace/floatCount`` reports the total.
    /// - Throws: ``ModelError/invalidArgument(name:value:expected:)`` when `batchSize < 1`.
    public func makeWorkspace(batchSize: Int) throws(ModelError) -> NetworkWorkspace {
        guard batchSize >= 1 else {
            throw .invalidArgument(name: "batchSize", value: "\(batchSize)", expected: "at least 1")
        }
        return NetworkWorkspace(plan: plan, capacity: batchSize)
    }
}
