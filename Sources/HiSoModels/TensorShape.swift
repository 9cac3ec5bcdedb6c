/// The per-sample shape of an activation: `channels x height x width`.
///
/// A flat feature vector of length `n` is the shape `(n, 1, 1)`. Batches are stored row-major
/// as `[batch, channels, height, width]` at the API boundary (PyTorch's NCHW), so a flat
/// `[batch, features]` matrix and a `[batch, 1, 28, 28]` image tensor have the same bytes.
public struct TensorShape: Sendable, Hashable, CustomStringConvertible {
    /// Number of channels (the feature count for a flat vector).
    public let channels: Int
    /// Spatial height (1 for a flat vector).
    public let height: Int
    /// Spatial width (1 for a flat vector).
    public let width: Int

    /// A `channels x height x width` shape.
    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// A flat vector of `count` features: `(count, 1, 1)`.
    public static func flat(_ count: Int) -> TensorShape {
        TensorShape(channels: count, height: 1, width: 1)
    }

    /// Number of values per sample, `channels * height * width`.
    public var count: Int { channels * height * width }

    /// Whether this is a flat vector (`height == width == 1`).
    public var isFlat: Bool { height == 1 && width == 1 }

    public var description: String { isFlat ? "[\(channels)]" : "[\(channels), \(height), \(width)]" }
}
