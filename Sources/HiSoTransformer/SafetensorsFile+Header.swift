import Foundation

extension SafetensorsFile {
    /// The parsed header: tensor entries (in no particular order) and the metadata map.
    struct Header {
        var tensors: [SafetensorsTensor]
        var metadata: [String: String]
    }

    /// Parses the JSON header bytes (which start at byte offset 8 of the file).
    ///
    /// - Throws: ``TransformerError/badHeader(file:offset:reason:)`` for invalid JSON or a non-object,
    ///   ``TransformerError/badTensorEntry(file:tensor:reason:)`` for a malformed entry,
    ///   ``TransformerError/unsupportedDType(file:tensor:dtype:)`` for an unknown dtype.
    static func parseHeader(_ json: Data, file: String) throws(TransformerError) -> Header {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json, options: [])
        } catch {
            throw .badHeader(file: file, offset: 8, reason: "invalid JSON (\(error.localizedDescription))")
        }
        guard let entries = object as? [String: Any] else {
            throw .badHeader(file: file, offset: 8, reason: "expected a JSON object at the top level")
        }
        var header = Header(tensors: [], metadata: [:])
        for (name, value) in entries.sorted(by: { $0.key < $1.key }) {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw .badHeader(file: file, offset: 8, reason: "__metadata__ must be an object of strings")
                }
                for (key, item) in map {
                    guard let text = item as? String else {
                        throw .badHeader(file: file, offset: 8, reason: "__metadata__ value for '\(key)' is not a string")
                    }
                    header.metadata[key] = text
                }
                continue
            }
            header.tensors.append(try parseEntry(name: name, value, file: file))
        }
        return header
    }

    /// Parses one `{"dtype", "shape", "data_offsets"}` entry.
    private static func parseEntry(name: String, _ value: Any, file: String) throws(TransformerError) -> SafetensorsTensor {
        guard let entry = value as? [String: Any] else {
            throw .badTensorEntry(file: file, tensor: name, reason: "expected an object")
        }
        guard let dtypeName = entry["dtype"] as? String else {
            throw .badTensorEntry(file: file, tensor: name, reason: "missing or non-string 'dtype'")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw .unsupportedDType(file: file, tensor: name, dtype: dtypeName)
        }
        guard let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw .badTensorEntry(file: file, tensor: name, reason: "'shape' must be an array of non-negative integers")
        }
        guard let offsets = integers(entry["data_offsets"]), offsets.count == 2,
              offsets[0] >= 0, offsets[1] >= offsets[0]
        else {
            throw .badTensorEntry(file: file, tensor: name, reason: "'data_offsets' must be [begin, end] with 0 <= begin <= end")
        }
        return SafetensorsTensor(name: name, dtype: dtype, shape: shape, dataOffsets: offsets[0]..<offsets[1])
    }

    /// A JSON array of integers, or `nil` when `value` is anything else.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        result.reserveCapacity(array.count)
        for item in array {
            guard let number = item as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), abs(double) < 9.0e15 else { return nil }
            result.append(Int(double))
        }
        return result
    }
}
