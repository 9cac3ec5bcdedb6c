extension BertParameterLayout {
    /// Loads every tensor of the layout from `file` into a new flat vector (one copy per tensor).
    ///
    /// Tensor names may carry a `bert.` prefix (as in `BertForSequenceClassification` exports);
    /// tensors the layout does not use (the pooler, `position_ids`) are ignored.
    ///
    /// - Throws: ``TransformerError/missingTensor(file:tensor:)``,
    ///   ``TransformerError/unexpectedShape(file:tensor:expected:found:)``,
    ///   ``TransformerError/unsupportedDType(file:tensor:dtype:)``.
    /// - Complexity: O(count). Memory: `4 * count` bytes for the result (the file stays mapped).
    public func load(from file: SafetensorsFile) throws(TransformerError) -> [Float] {
        let prefix = file.tensors[tensors[0].name] == nil && file.tensors["bert." + tensors[0].name] != nil ? "bert." : ""
        var resolved: [(Tensor, String)] = []
        for tensor in tensors {
            let name = prefix + tensor.name
            let entry = try file.tensor(name)
            guard entry.shape == tensor.shape else {
                throw .unexpectedShape(file: file.path, tensor: name, expected: tensor.shape, found: entry.shape)
            }
            resolved.append((tensor, name))
        }
        var failure: TransformerError?
        let parameters = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for (tensor, name) in resolved {
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[tensor.offset..<(tensor.offset + tensor.count)])
                do throws(TransformerError) {
                    try file.copyFloat32(name, into: slice)
                } catch {
                    slice.initialize(repeating: 0)
                    failure = failure ?? error
                }
            }
            initialized = count
        }
        if let failure { throw failure }
        return parameters
    }
}
