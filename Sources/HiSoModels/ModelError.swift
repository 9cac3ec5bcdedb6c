/// Errors from building a network or calling it with data of the wrong shape.
///
/// Every case says what was wrong, with the expected and found values.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// The architecture is inconsistent (e.g. a layer's input size does not match the previous
    /// layer's output); `layer` is the index in the layer list.
    case invalidArchitecture(layer: Int, reason: String)
    /// A buffer has the wrong length: `what` names it.
    case sizeMismatch(what: String, expected: Int, found: Int)
    /// The data's per-sample feature count does not match the model's input.
    case inputFeatureMismatch(expected: Int, found: Int)
    /// The data has a different number of classes than the model's output.
    case classCountMismatch(expected: Int, found: Int)
    /// The batch is larger than the workspace was built for.
    case batchTooLarge(count: Int, capacity: Int)
    /// A batch must hold at least one sample.
    case emptyBatch
    /// A label lies outside `0 ..< classCount`; `sample` is its index in the batch.
    case labelOutOfRange(sample: Int, label: Int32, classCount: Int)
    /// The workspace was made by a different network.
    case workspaceMismatch
    /// An invalid argument (e.g. a non-positive batch size).
    case invalidArgument(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .invalidArchitecture(let layer, let reason):
            return "invalid architecture at layer \(layer): \(reason)"
        case .sizeMismatch(let what, let expected, let found):
            return "\(what): expected \(expected) values, found \(found)"
        case .inputFeatureMismatch(let expected, let found):
            return "model expects \(expected) input features per sample, data has \(found)"
        case .classCountMismatch(let expected, let found):
            return "model has \(expected) output classes, data has \(found)"
        case .batchTooLarge(let count, let capacity):
            return "batch of \(count) samples exceeds the workspace capacity of \(capacity)"
        case .emptyBatch:
            return "batch must hold at least one sample"
        case .labelOutOfRange(let sample, let label, let classCount):
            return "label \(label) of batch sample \(sample) is outside 0..<\(classCount)"
        case .workspaceMismatch:
            return "workspace was made by a different network"
        case .invalidArgument(let name, let value, let expected):
            return "invalid \(name) \(value): expected \(expected)"
        }
    }
}
