/// Many tokenized texts packed into one id array: text `i` is `ids[starts[i] ..< starts[i + 1]]`,
/// each `[CLS] pieces [SEP]` and at most `maxLength` ids (no padding is stored).
///
/// Packing without padding lets the encoder run its GEMMs over real tokens only.
/// Memory: `4 * totalTokens + 8 * (count + 1)` bytes.
public struct EncodedTexts: Sendable, Equatable {
    /// All ids, text after text.
    public private(set) var ids: [Int32]
    /// `count + 1` start offsets into ``ids``.
    public private(set) var starts: [Int]
    /// The longest allowed sequence, `[CLS]` and `[SEP]` included.
    public let maxLength: Int

    /// The number of texts.
    public var count: Int { starts.count - 1 }
    /// The number of ids of text `i`.
    public func length(of i: Int) -> Int { starts[i + 1] - starts[i] }
    /// The ids of text `i`.
    public func ids(of i: Int) -> ArraySlice<Int32> { ids[starts[i]..<starts[i + 1]] }

    /// Tokenizes `texts` with `tokenizer`, truncating each to `maxLength` ids.
    ///
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` when `maxLength < 2`.
    /// - Complexity: O(total characters).
    public init<S: Sequence>(_ texts: S, tokenizer: WordPieceTokenizer, maxLength: Int) throws(TransformerError)
    where S.Element: StringProtocol {
        guard maxLength >= 2 else {
            throw .invalidArgument(name: "maxLength", value: "\(maxLength)", expected: "at least 2 ([CLS] and [SEP])")
        }
        self.maxLength = maxLength
        ids = []
        starts = [0]
        for text in texts {
            ids.append(contentsOf: tokenizer.encode(String(text), maxLength: maxLength))
            starts.append(ids.count)
        }
    }

    /// Packs already-encoded sequences (each non-empty and at most `maxLength` long).
    ///
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` for an empty or too long sequence.
    public init(sequences: [[Int32]], maxLength: Int) throws(TransformerError) {
        self.maxLength = maxLength
        ids = []
        starts = [0]
        for (i, sequence) in sequences.enumerated() {
            guard !sequence.isEmpty, sequence.count <= maxLength else {
                throw .invalidArgument(
                    name: "length of sequence \(i)", value: "\(sequence.count)", expected: "1...\(maxLength)")
            }
            ids.append(contentsOf: sequence)
            starts.append(ids.count)
        }
    }

    /// The ids of text `i` padded with `padding` (or truncated) to exactly `length`, and the
    /// attention mask (1 for real tokens, 0 for padding).
    public func padded(_ i: Int, to length: Int, padding: Int32) -> (ids: [Int32], mask: [Int32]) {
        let real = Array(ids(of: i).prefix(length))
        let pad = length - real.count
        return (real + Array(repeating: padding, count: pad), Array(repeating: 1, count: real.count) + Array(repeating: 0, count: pad))
    }
}
