/// The tasks `hiso` and `hiso-bench` build by name (see ``TaskCatalog``).
///
/// - ``digits``: the built-in scikit-learn digits (1,797 8x8 images; stratified 80/20 split,
///   standardised with the train statistics), MLP 64-32-10, 8 clients. No files needed.
/// - ``digitsReference``: the peer's exact digits data and client partitions, read from a
///   directory (`--data-dir`, `--split iid|dir0.5`).
/// - ``fmnistMLP``: Fashion-MNIST with an MLP 784-256-10.
/// - ``fmnistCNN``: Fashion-MNIST with the peer's CNN_MNIST (28,938 parameters).
/// - ``fmnistCNNLarge``: Fashion-MNIST with the peer's CNN_FMNIST (1.2 M parameters).
/// - ``quadratic``: a synthetic quadratic (HiSoOptim's `QuadraticProblem`) split over clients
///   with per-client noise; its "accuracy" is the fraction of the initial suboptimality removed,
///   `1 - f(x) / f(x0)`, so a target of 0.99 means 1e-2 of the initial suboptimality.
/// - ``sst2Minilm``: GLUE SST-2 sentiment with all-MiniLM-L6-v2 and a classification head
///   (``SST2MiniLMTask``); needs the model (`--model-dir`, from `Utils/fetch-minilm`) and a GLUE
///   SST-2 directory (`--data-dir`); trains the head only unless `--subset` says otherwise.
public enum TaskName: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case digits
    case digitsReference = "digits-reference"
    case fmnistMLP = "fmnist-mlp"
    case fmnistCNN = "fmnist-cnn"
    case fmnistCNNLarge = "fmnist-cnn-large"
    case quadratic
    case sst2Minilm = "sst2-minilm"

    public var description: String { rawValue }

    /// Whether the task reads Fashion-MNIST.
    public var usesFashionMNIST: Bool {
        switch self {
        case .fmnistMLP, .fmnistCNN, .fmnistCNNLarge: return true
        case .digits, .digitsReference, .quadratic, .sst2Minilm: return false
        }
    }
}
