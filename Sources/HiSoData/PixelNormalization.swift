/// How 8-bit pixels (0...255) become float features.
///
/// - ``raw``: `x` unchanged (0...255).
/// - ``unitInterval``: `x / 255` (0...1), like torchvision's `ToTensor()`.
/// - ``standardized(mean:std:)``: `(x / 255 - mean) / std`, like `ToTensor()` followed by
///   `Normalize(mean, std)`; ``fashionMNIST`` uses the documented Fashion-MNIST train statistics
///   mean 0.2860 and std 0.3530 (the raw pixel mean is 72.94 = 0.2860 * 255).
public enum PixelNormalization: Sendable, Equatable, CustomStringConvertible {
    /// The raw pixel values 0...255.
    case raw
    /// `x / 255`.
    case unitInterval
    /// `(x / 255 - mean) / std`.
    case standardized(mean: Float, std: Float)

    /// Fashion-MNIST's train-set statistics: `(x / 255 - 0.2860) / 0.3530`.
    public static let fashionMNIST = PixelNormalization.standardized(mean: 0.2860, std: 0.3530)

    /// The float value of every possible byte, computed once per load (256 entries) so the decode
    /// loop is a table lookup.
    var table: [Float] {
        (0...255).map { byte -> Float in
            let x = Float(byte)
            switch self {
            case .raw: return x
            case .unitInterval: return x / 255
            case .standardized(let mean, let std): return (x / 255 - mean) / std
            }
        }
    }

    /// A short description, e.g. `standardized(mean: 0.286, std: 0.353)`.
    public var description: String {
        switch self {
        case .raw: return "raw"
        case .unitInterval: return "unitInterval"
        case .standardized(let mean, let std): return "standardized(mean: \(mean), std: \(std))"
        }
    }
}
