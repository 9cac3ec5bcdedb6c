/// Errors from writing or reading report files.
///
/// Each case names the file and says what went wrong, so that the message can be shown to a user
/// as one line.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// A directory could not be created.
    case cannotCreateDirectory(path: String, reason: String)
    /// A file could not be written (the temporary file or the final rename failed).
    case cannotWrite(path: String, reason: String)
    /// A file could not be read.
    case cannotRead(path: String, reason: String)
    /// A file was read but its content is not what was expected.
    case malformed(path: String, location: String, expected: String, found: String)
    /// A value given to the report layer is unusable (for example an empty list of runs).
    case invalidInput(what: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason):
            return "cannot create directory '\(path)': \(reason)"
        case .cannotWrite(let path, let reason):
            return "cannot write '\(path)': \(reason)"
        case .cannotRead(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .malformed(let path, let location, let expected, let found):
            return "'\(path)' \(location): expected \(expected), found \(found)"
        case .invalidInput(let what, let reason):
            return "\(what): \(reason)"
        }
    }
}
