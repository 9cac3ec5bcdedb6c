/// Where each setting comes from (a flag, or a key of the config file) and how it is parsed.
///
/// Lookup order: the command-line flag, then the config file, then the caller's default. Every
/// parser reports a bad value as one sentence naming the flag or the file key, with what was
/// expected and what was found, so flags and config files get identical checks.
struct SettingsSource {
    /// A value as text with its origin.
    struct Entry: Equatable {
        /// The value as given.
        var text: String
        /// `--mu` or `'mu' in run.yaml`.
        var origin: String
    }

    /// Setting key (long flag name) -> entry.
    let entries: [String: Entry]

    /// Overlays the flags given on the config file's values.
    ///
    /// - Parameters:
    ///   - flags: flag name -> value (nil = not given).
    ///   - file: the config file, if any.
    init(flags: [String: String?], file: ConfigFile?) {
        var entries: [String: Entry] = [:]
        if let file {
            for (key, text) in file.values {
                let name = key == "method" ? "methods" : key
                entries[name] = Entry(text: text, origin: "'\(key)' in \(file.path)")
            }
        }
        for (key, value) in flags {
            if let value { entries[key] = Entry(text: value, origin: "--\(key)") }
        }
        self.entries = entries
    }

    /// Whether the setting was given (by flag or file).
    func has(_ key: String) -> Bool { entries[key] != nil }

    /// Where a setting came from, for messages: `--mu`, or `'mu' in f.yaml`; `--mu` when unset.
    func origin(_ key: String) -> String { entries[key]?.origin ?? "--\(key)" }

    /// The raw text of a setting, if given.
    func text(_ key: String) -> String? { entries[key]?.text }

    /// An integer setting in `range`.
    func int(_ key: String, default value: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws(CommandLineError) -> Int {
        guard let entry = entries[key] else { return value }
        guard let parsed = Int(entry.text.trimmed), range.contains(parsed) else {
            throw .invalidValue(origin: entry.origin, expected: Self.describe(range), found: entry.text)
        }
        return parsed
    }

    /// An optional integer setting in `range` (nil when not given).
    func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(CommandLineError) -> Int? {
        guard has(key) else { return nil }
        return try int(key, default: 0, in: range)
    }

    /// A non-negative integer that fits 64 bits unsigned (seeds).
    func uint64(_ key: String, default value: UInt64) throws(CommandLineError) -> UInt64 {
        guard let entry = entries[key] else { return value }
        guard let parsed = UInt64(entry.text.trimmed) else {
            throw .invalidValue(origin: entry.origin, expected: "a whole number from 0 to \(UInt64.max)", found: entry.text)
        }
        return parsed
    }

    /// A finite real setting satisfying `check` (described by `expected`).
    func double(
        _ key: String, default value: Double, expected: String = "a finite number", _ check: (Double) -> Bool = { _ in true }
    ) throws(CommandLineError) -> Double {
        guard let entry = entries[key] else { return value }
        guard let parsed = Double(entry.text.trimmed), parsed.isFinite, check(parsed) else {
            throw .invalidValue(origin: entry.origin, expected: expected, found: entry.text)
        }
        return parsed
    }

    /// A comma list of finite reals, each satisfying `check`; duplicates removed, order kept.
    func doubles(
        _ key: String, default value: [Double], expected: String, _ check: (Double) -> Bool = { _ in true }
    ) throws(CommandLineError) -> [Double] {
        guard let entry = entries[key] else { return value }
        var out: [Double] = []
        for part in entry.text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let parsed = Double(String(part).trimmed), parsed.isFinite, check(parsed) else {
                throw .invalidValue(origin: entry.origin, expected: "a comma list of \(expected)", found: entry.text)
            }
            if !out.contains(parsed) { out.append(parsed) }
        }
        return out
    }

    /// One of the named choices.
    func choice<T>(_ key: String, default value: T, _ choices: KeyValuePairs<String, T>) throws(CommandLineError) -> T {
        guard let entry = entries[key] else { return value }
        let wanted = entry.text.trimmed.lowercased()
        guard let match = choices.first(where: { $0.key == wanted }) else {
            throw .invalidValue(origin: entry.origin, expected: Self.oneOf(choices.map(\.key)), found: entry.text)
        }
        return match.value
    }

    /// A comma list of named choices, at least one, duplicates removed, order kept.
    func choices<T>(_ key: String, default value: [T], _ choices: KeyValuePairs<String, T>) throws(CommandLineError) -> [T] {
        guard let entry = entries[key] else { return value }
        var out: [T] = []
        var seen: Set<String> = []
        for part in entry.text.split(separator: ",", omittingEmptySubsequences: false) {
            let wanted = String(part).trimmed.lowercased()
            guard let match = choices.first(where: { $0.key == wanted }) else {
                throw .invalidValue(
                    origin: entry.origin, expected: "a comma list of \(choices.map(\.key).joined(separator: ", "))", found: entry.text)
            }
            if seen.insert(wanted).inserted { out.append(match.value) }
        }
        return out
    }

    /// A boolean: true/false, yes/no, 1/0, on/off.
    func bool(_ key: String, default value: Bool) throws(CommandLineError) -> Bool {
        guard let entry = entries[key] else { return value }
        switch entry.text.trimmed.lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw .invalidValue(origin: entry.origin, expected: "true or false", found: entry.text)
        }
    }

    /// `one of a, b or c`.
    static func oneOf(_ names: [String]) -> String {
        guard names.count > 1 else { return names.first.map { "'\($0)'" } ?? "nothing" }
        return "one of " + names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    /// `a whole number`, `a whole number >= 1`, `a whole number from 1 to 8`.
    static func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (Int.min, Int.max): return "a whole number"
        case (let lo, Int.max): return "a whole number >= \(lo)"
        case (Int.min, let hi): return "a whole number <= \(hi)"
        case (let lo, let hi): return "a whole number from \(lo) to \(hi)"
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
