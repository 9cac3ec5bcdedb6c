import Foundation
import Yams

/// A config file: a flat map from flag names (without `--`) to values, in JSON or YAML.
///
/// The file's keys are the long flag names (`mu`, `local-steps`, `data-dir`); `_` may stand for
/// `-`. Values are scalars or lists of scalars; a list is the same as a comma-separated string
/// (`lr: [0.01, 0.03]` = `--lr 0.01,0.03`). Flags given on the command line win over the file.
/// The format is chosen by the extension (`.json`, `.yaml`, `.yml`); other names are read as
/// YAML, which also accepts JSON. The key ``provenanceKey`` (the `provenance` object that a run's
/// `config.json` records) is informational and skipped.
struct ConfigFile: Equatable {
    /// The informational key of a written `config.json`: which code ran it (`RunProvenance`).
    static let provenanceKey = "provenance"

    /// The path as given.
    let path: String
    /// Normalised key -> value text.
    let values: [String: String]

    /// Reads and checks a config file.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - knownKeys: the accepted keys (the long flag names).
    /// - Throws: ``CommandLineError/configFile(path:reason:)`` when the file is missing, is not
    ///   valid JSON/YAML, is not a mapping or has a nested value;
    ///   ``CommandLineError/unknownConfigKey(path:key:suggestion:)`` for a key no flag has.
    /// - Complexity: O(file size).
    init(path: String, knownKeys: Set<String>) throws(CommandLineError) {
        self.path = path
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw .configFile(path: path, reason: exists ? "it is not readable UTF-8 text" : "no such file")
        }
        let document = try Self.parse(text, path: path)
        var values: [String: String] = [:]
        for (rawKey, rawValue) in document {
            let key = rawKey.replacingOccurrences(of: "_", with: "-")
            if key == Self.provenanceKey { continue }
            guard knownKeys.contains(key) else {
                throw .unknownConfigKey(path: path, key: rawKey, suggestion: Self.closest(to: key, in: knownKeys))
            }
            guard let text = rawValue.text() else {
                let what = if case .mapping = rawValue { "a nested mapping" } else { "a list inside a list" }
                throw .configFile(path: path, reason: "key '\(rawKey)' has \(what); use a scalar or a list of scalars")
            }
            values[key] = text
        }
        self.values = values
    }

    /// A value in a config file: a scalar, a list or (only under ``provenanceKey``) a mapping.
    enum Value: Decodable, Equatable {
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case list([Value])
        case mapping([String: Value])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? c.decode(Int.self) {
                self = .int(i)
            } else if let d = try? c.decode(Double.self) {
                self = .double(d)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else if let list = try? c.decode([Value].self) {
                self = .list(list)
            } else {
                self = .mapping(try c.decode([String: Value].self))
            }
        }

        /// The value as flag text: lists joined by commas; nil for a list inside a list or a mapping.
        func text(nested: Bool = false) -> String? {
            switch self {
            case .mapping: return nil
            case .bool(let b): return b ? "true" : "false"
            case .int(let i): return String(i)
            case .double(let d): return String(describing: d)
            case .string(let s): return s
            case .list(let items):
                guard !nested else { return nil }
                var parts: [String] = []
                for item in items {
                    guard let part = item.text(nested: true) else { return nil }
                    parts.append(part)
                }
                return parts.joined(separator: ",")
            }
        }
    }

    /// The top-level mapping of a JSON or YAML document.
    static func parse(_ text: String, path: String) throws(CommandLineError) -> [String: Value] {
        let json = path.lowercased().hasSuffix(".json")
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return [:] }
        do {
            if json { return try JSONDecoder().decode([String: Value].self, from: Data(text.utf8)) }
            return try YAMLDecoder().decode([String: Value].self, from: text)
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(_, let context) where context.codingPath.isEmpty:
                throw .configFile(path: path, reason: "the top level must be a mapping of flag names to values")
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
                let key = context.codingPath.first?.stringValue ?? "?"
                throw .configFile(path: path, reason: "key '\(key)' has a nested mapping; use a scalar or a list of scalars")
            case .dataCorrupted(let context):
                let detail = context.underlyingError.map { Self.oneLine(String(describing: $0)) } ?? context.debugDescription
                throw .configFile(path: path, reason: "it is not valid \(json ? "JSON" : "YAML") (\(detail))")
            @unknown default:
                throw .configFile(path: path, reason: Self.oneLine(String(describing: error)))
            }
        } catch {
            throw .configFile(path: path, reason: "it is not valid \(json ? "JSON" : "YAML") (\(Self.oneLine(String(describing: error))))")
        }
    }

    /// `text` on one line: line breaks replaced by spaces, runs of spaces collapsed.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The known key nearest to `key` by edit distance, if it is close (at most 2 edits or a
    /// prefix relation).
    static func closest(to key: String, in known: Set<String>) -> String? {
        var best: (name: String, distance: Int)?
        for name in known.sorted() {
            let distance = editDistance(key, name)
            if best == nil || distance < best!.distance { best = (name, distance) }
        }
        guard let best else { return nil }
        if best.distance <= 2 { return best.name }
        return known.sorted().first { $0.hasPrefix(key) || key.hasPrefix($0) }
    }

    /// Levenshtein distance between two strings.
    ///
    /// - Complexity: O(a.count x b.count) time, O(b.count) memory.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
