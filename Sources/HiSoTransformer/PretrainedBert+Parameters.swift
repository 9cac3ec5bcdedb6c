import Foundation

extension PretrainedBert {
    /// A model made in memory from a configuration, its parameters (layout order) and a tokenizer,
    /// for benchmarks and tests that need the model's shapes but not its files.
    ///
    /// - Parameters:
    ///   - configuration: the encoder's shapes.
    ///   - parameters: every encoder parameter, in the layout's order.
    ///   - tokenizer: the tokenizer the model reports.
    ///   - directory: what ``directory`` reports (no file is read).
    /// - Throws: ``TransformerError/invalidArgument(name:value:expected:)`` when `parameters` does
    ///   not have the layout's length.
    /// - Complexity: O(1) (the parameters are shared, not copied).
    public init(
        configuration: BertConfiguration, parameters: [Float], tokenizer: WordPieceTokenizer,
        directory: URL = URL(fileURLWithPath: "in-memory")
    ) throws(TransformerError) {
        let encoder = BertEncoder(configuration: configuration)
        guard parameters.count == encoder.layout.count else {
            throw .invalidArgument(name: "parameter count", value: "\(parameters.count)", expected: "\(encoder.layout.count)")
        }
        self.directory = directory
        self.encoder = encoder
        self.tokenizer = tokenizer
        self.parameters = parameters
    }
}
