import ArgumentParser
import Foundation

/// The options `train` and `compare` share: every knob of docs/ALGORITHM.md, grouped for `--help`.
///
/// Each flag is declared once, as a typed property of one of the groups; its config-file key is
/// its long name (the property name in kebab case, `localSteps` -> `local-steps`), derived from
/// the declarations by ``declaredNames``. A config file is layered under the command line by
/// ``layered(_:)``: its keys become flags placed before the user's, so the parser checks them
/// with the same types and ranges, and flags given on the command line win.
struct SharedOptions: ParsableArguments {
    @OptionGroup(title: "Task and data")
    var task: TaskOptions

    @OptionGroup(title: "Algorithm")
    var algorithm: AlgorithmOptions

    @OptionGroup(title: "Federation")
    var federation: FederationOptions

    @OptionGroup(title: "Experiment and output")
    var experiment: ExperimentOptions

    /// Every long option and flag name of the groups, from their declarations, with whether it is
    /// a Boolean flag.
    static let declaredNames: [(name: String, isFlag: Bool)] = {
        guard let parsed = try? SharedOptions.parse([]) else { return [] }
        var names: [(String, Bool)] = []
        for group in Mirror(reflecting: parsed).children {
            guard let options = Self.unwrap(group.value) else { continue }
            for child in Mirror(reflecting: options).children {
                guard let label = child.label, label.hasPrefix("_") else { continue }
                let isFlag = String(describing: type(of: child.value)).hasPrefix("Flag<")
                names.append((Self.kebab(String(label.dropFirst())), isFlag))
            }
        }
        return names
    }()

    /// The keys a config file may use: every declared name but the file machinery itself and the
    /// output-folder choices (`force`, `resume`), plus the singular `method`.
    static var configKeys: Set<String> {
        Set(declaredNames.map(\.name)).subtracting(["config", "config-keys", "dump-config", "force", "resume"]).union(["method"])
    }

    /// The flags `--resume` may be combined with (they change no result).
    static let resumeCompatible: Set<String> = ["resume", "json", "verbose"]

    /// `arguments` with the keys of the `--config` file inserted before them as flags (keys that
    /// the arguments also give are left out, so the command line wins), and a hidden
    /// `--config-keys` listing what the file supplied (for messages that name their origin).
    ///
    /// `--resume DIR` reads `DIR/config.json` as the config file, and takes no flag that could
    /// change the run (only ``resumeCompatible``).
    ///
    /// - Throws: ``CommandLineError`` for an unreadable or malformed file, an unknown key, or
    ///   `--resume` with another setting or without `DIR/config.json`.
    static func layered(_ arguments: [String]) throws(CommandLineError) -> [String] {
        var path: String?
        var resume: String?
        var given: Set<String> = []
        for (i, token) in arguments.enumerated() where token.hasPrefix("--") {
            let name = String(token.dropFirst(2).prefix { $0 != "=" })
            given.insert(name == "method" ? "methods" : name)
            let value = token.contains("=") ? String(token.drop { $0 != "=" }.dropFirst()) : (i + 1 < arguments.count ? arguments[i + 1] : nil)
            if name == "config" { path = value }
            if name == "resume" { resume = value }
        }
        var prefix: [String] = []
        if let resume {
            if let other = given.subtracting(resumeCompatible).sorted().first {
                throw .conflict(
                    "--resume continues the run as \(resume)/config.json describes it, so it takes no --\(other); "
                        + "start a new run with --force or another --out to change settings.")
            }
            let file = URL(fileURLWithPath: resume, isDirectory: true).appendingPathComponent("config.json").path
            guard FileManager.default.fileExists(atPath: file) else {
                throw .conflict("cannot resume '\(resume)': it has no config.json (give the --out folder of a hiso train or compare run).")
            }
            path = file
            prefix = ["--config=\(file)"]
        }
        guard let path else { return arguments }
        let file = try ConfigFile(path: path, knownKeys: configKeys)
        let flags = Set(declaredNames.filter(\.isFlag).map(\.name))
        var inserted: [String] = []
        var supplied: [String] = []
        for (rawKey, text) in file.values.sorted(by: { $0.key < $1.key }) {
            let key = rawKey == "method" ? "methods" : rawKey
            guard !given.contains(key) else { continue }
            supplied.append(key)
            if flags.contains(key) {
                if text.trimmed.lowercased() == "true" { inserted.append("--\(key)") }
            } else {
                inserted.append("--\(key)=\(text)")
            }
        }
        return prefix + inserted + ["--config-keys=" + supplied.joined(separator: ",")] + arguments
    }

    /// Parses `arguments` with the config file layered under them (``layered(_:)``).
    static func parseLayered(_ arguments: [String]) throws -> SharedOptions {
        try parse(layered(arguments))
    }

    /// Where the value of `key` came from: `'key' in FILE` or `--key`.
    func origin(_ key: String) -> String {
        let fromFile = Set((experiment.configKeys ?? "").split(separator: ",").map(String.init))
        if fromFile.contains(key), let path = experiment.config { return "'\(key)' in \(path)" }
        return "--\(key)"
    }

    /// `localSteps` -> `local-steps`, ArgumentParser's default long name.
    private static func kebab(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase {
                out += "-" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// The parsed group inside an `@OptionGroup` wrapper.
    private static func unwrap(_ wrapper: Any) -> Any? {
        for child in Mirror(reflecting: wrapper).children {
            if child.value is any ParsableArguments { return child.value }
            if let inner = Mirror(reflecting: child.value).children.first?.value, inner is any ParsableArguments { return inner }
        }
        return nil
    }
}
