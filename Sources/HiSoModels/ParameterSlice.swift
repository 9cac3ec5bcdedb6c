/// A named window of the flat parameter vector: one weight or bias tensor of one layer.
///
/// Names follow `torch.nn.Sequential` state-dict keys: `"<layer index>.weight"` and
/// `"<layer index>.bias"`, where the index counts every layer (ReLU and pooling included).
public struct ParameterSlice: Sendable, Hashable, CustomStringConvertible {
    /// State-dict style name, e.g. `"0.weight"`.
    public let name: String
    /// Index of the layer in ``Network/layers``.
    public let layerIndex: Int
    /// First element of the slice in the flat vector.
    public let offset: Int
    /// Number of elements, the product of ``shape``.
    public let count: Int
    /// PyTorch shape: `[out, in]` for a linear weight, `[out, in, kh, kw]` for a conv weight,
    /// `[out]` for a bias.
    public let shape: [Int]
    /// Fan-in of the layer, which sets the initialisation bound `1/sqrt(fanIn)`.
    public let fanIn: Int

    /// The index range `offset ..< offset + count`.
    public var range: Range<Int> { offset..<offset + count }

    public var description: String { "\(name) \(shape) @\(offset)" }
}
