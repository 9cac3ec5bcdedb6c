/// A mistake in what the user asked for: a bad flag value, contradictory settings, an unusable
/// config file. The CLI prints it as one line and exits with status 2.
enum CommandLineError: Error, Equatable, CustomStringConvertible {
    /// A value (from a flag or a config file key; `origin` says which) is not acceptable.
    case invalidValue(origin: String, expected: String, found: String)
    /// Two settings contradict each other.
    case conflict(String)
    /// A config file cannot be read or parsed.
    case configFile(path: String, reason: String)
    /// A config file has a key no flag has.
    case unknownConfigKey(path: String, key: String, suggestion: String?)

    var description: String {
        switch self {
        case .invalidValue(let origin, let expected, let found):
            return "\(origin) expects \(expected), but found '\(found)'."
        case .conflict(let message):
            return message
        case .configFile(let path, let reason):
            return "cannot use config file '\(path)': \(reason)."
        case .unknownConfigKey(let path, let key, let suggestion):
            return "config file '\(path)' has an unknown key '\(key)'"
                + (suggestion.map { "; did you mean '\($0)'?" } ?? "; its keys are the long flag names without '--'.")
        }
    }
}
