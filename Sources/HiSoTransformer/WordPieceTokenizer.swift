import Foundation

/// A BERT uncased WordPiece tokenizer read from `vocab.txt`, matching Hugging Face `tokenizers`'
/// `BertNormalizer` + `BertPreTokenizer` + `WordPiece` + `[CLS] A [SEP]` template.
///
/// Pipeline for one text:
/// 1. clean-up: drop U+0000, U+FFFD and control/format/unassigned/private-use/surrogate
///    characters (tab, newline and carriage return excepted); map every whitespace to a space;
/// 2. put spaces around CJK ideographs;
/// 3. strip accents: canonical decomposition (NFD), then drop non-spacing marks (Mn);
/// 4. lower-case, character by character (full Unicode mapping, no context);
/// 5. split on whitespace and isolate each punctuation character (ASCII punctuation or a
///    Unicode P* category);
/// 6. WordPiece per word: a word longer than ``maxInputCharactersPerWord`` scalars becomes
///    `[UNK]`; otherwise greedy longest-match-first, continuation pieces prefixed `##`; a word
///    with an unmatched remainder becomes a single `[UNK]`.
///
/// Special-token literals inside the text (such as "[SEP]") are not recognised as special tokens.
/// Memory: the vocabulary dictionary (about 30,000 entries for MiniLM).
public struct WordPieceTokenizer: Sendable {
    /// Token string to id (the 0-based line number in vocab.txt).
    public let vocabulary: [String: Int32]
    /// Id of `[UNK]`, `[CLS]`, `[SEP]` and `[PAD]`.
    public let unknownID: Int32, classID: Int32, separatorID: Int32, paddingID: Int32
    /// Words longer than this many Unicode scalars become `[UNK]` (100, as in BERT).
    public let maxInputCharactersPerWord: Int

    /// Reads `vocab.txt` (one token per line; the line number is the id).
    ///
    /// - Throws: ``TransformerError/missingFile(file:hint:)``, ``TransformerError/unreadable(file:reason:)``,
    ///   ``TransformerError/badVocabulary(file:line:reason:)`` for a duplicate token or a missing
    ///   `[UNK]`, `[CLS]`, `[SEP]` or `[PAD]`.
    public init(vocabularyFile url: URL, maxInputCharactersPerWord: Int = 100) throws(TransformerError) {
        let file = url.path
        let lines = try TextLines.read(url, hint: TransformerError.fetchHint)
        try self.init(tokens: lines, file: file, maxInputCharactersPerWord: maxInputCharactersPerWord)
    }

    /// Builds a tokenizer from the vocabulary's tokens in id order.
    ///
    /// - Throws: ``TransformerError/badVocabulary(file:line:reason:)`` as above (`file` names the source).
    public init(tokens: [String], file: String = "vocabulary", maxInputCharactersPerWord: Int = 100) throws(TransformerError) {
        var vocabulary: [String: Int32] = [:]
        vocabulary.reserveCapacity(tokens.count)
        for (index, token) in tokens.enumerated() {
            guard !token.isEmpty else { throw .badVocabulary(file: file, line: index + 1, reason: "empty token") }
            guard vocabulary[token] == nil else {
                throw .badVocabulary(file: file, line: index + 1, reason: "duplicate token '\(token)'")
            }
            vocabulary[token] = Int32(index)
        }
        func special(_ token: String) throws(TransformerError) -> Int32 {
            guard let id = vocabulary[token] else {
                throw .badVocabulary(file: file, line: tokens.count, reason: "missing special token \(token)")
            }
            return id
        }
        self.vocabulary = vocabulary
        unknownID = try special("[UNK]")
        classID = try special("[CLS]")
        separatorID = try special("[SEP]")
        paddingID = try special("[PAD]")
        self.maxInputCharactersPerWord = maxInputCharactersPerWord
    }

    /// The WordPiece ids of `text`, without `[CLS]`/`[SEP]`.
    ///
    /// - Complexity: O(n * w) for `n` scalars and longest word `w` (at most 100).
    public func wordPieceIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for word in Self.preTokenize(Self.normalize(text)) {
            appendWordPieces(of: word, to: &ids)
        }
        return ids
    }

    /// `[CLS] pieces [SEP]`, truncated so that the total is at most `maxLength` (the pieces are cut; `[SEP]` is kept).
    ///
    /// - Precondition: `maxLength >= 2`.
    public func encode(_ text: String, maxLength: Int) -> [Int32] {
        precondition(maxLength >= 2, "maxLength must leave room for [CLS] and [SEP]")
        let pieces = wordPieceIDs(text)
        return [classID] + pieces.prefix(maxLength - 2) + [separatorID]
    }

    /// Greedy longest-match-first WordPiece of one pre-tokenized word.
    private func appendWordPieces(of word: [Unicode.Scalar], to ids: inout [Int32]) {
        guard word.count <= maxInputCharactersPerWord else {
            ids.append(unknownID)
            return
        }
        let mark = ids.count
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                var piece = start > 0 ? "##" : ""
                piece.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[piece] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                ids.removeSubrange(mark...)
                ids.append(unknownID)
                return
            }
            ids.append(id)
            start = end
        }
    }
}
