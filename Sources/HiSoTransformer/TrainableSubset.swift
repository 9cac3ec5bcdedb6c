/// Which parameters of a ``BertClassifier`` zeroth-order training perturbs and updates.
///
/// The classification head is always trainable. Every subset but LoRA is a suffix of the
/// ``BertParameterLayout`` order, so the trainable vector is `[encoder suffix][head]` and the
/// frozen prefix is read in place; LoRA's vector is `[adapters][head]` with the whole encoder frozen.
public enum TrainableSubset: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The head only (`classes * (h + 1)` parameters; the encoder output can be cached).
    case head
    /// The last `k` encoder layers and the head.
    case lastLayers(Int)
    /// Every encoder layer (all non-embedding weights) and the head.
    case nonEmbedding
    /// Everything, embeddings included, and the head.
    case all
    /// LoRA adapters of rank `rank` on the query and value projections (`scale = alpha / rank`), and the head.
    case lora(rank: Int, alpha: Float)

    /// `head`, `last-K`, `non-embedding`, `all` or `lora-R` / `lora-R-ALPHA` (alpha defaults to 2 R).
    public var description: String {
        switch self {
        case .head: return "head"
        case .lastLayers(let k): return "last-\(k)"
        case .nonEmbedding: return "non-embedding"
        case .all: return "all"
        case .lora(let rank, let alpha): return "lora-\(rank)-\(alpha.formatted())"
        }
    }

    /// Parses the ``description`` form.
    ///
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` for anything else.
    public init(parsing text: String) throws(TransformerError) {
        let parts = text.lowercased().split(separator: "-").map(String.init)
        let bad = TransformerError.invalidArgument(
            name: "trainable subset", value: "'\(text)'",
            expected: "head, last-K, non-embedding, all, lora-R or lora-R-ALPHA")
        switch parts.first {
        case "head" where parts.count == 1: self = .head
        case "all" where parts.count == 1: self = .all
        case "non" where parts == ["non", "embedding"]: self = .nonEmbedding
        case "last" where parts.count == 2:
            guard let k = Int(parts[1]), k >= 1 else { throw bad }
            self = .lastLayers(k)
        case "lora" where parts.count == 2 || parts.count == 3:
            guard let rank = Int(parts[1]), rank >= 1 else { throw bad }
            let alpha = parts.count == 3 ? Float(parts[2]) : Float(2 * rank)
            guard let alpha, alpha.isFinite, alpha > 0 else { throw bad }
            self = .lora(rank: rank, alpha: alpha)
        default:
            throw bad
        }
    }
}

extension Float {
    /// The shortest decimal text, without a trailing `.0` for integers.
    fileprivate func formatted() -> String {
        self == rounded() && abs(self) < 1e7 ? String(Int(self)) : String(self)
    }
}
