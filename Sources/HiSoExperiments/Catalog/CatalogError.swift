/// Errors from building a task by name: missing or unreadable data, or a setting the task cannot
/// use. Each message is one sentence a user can act on.
public enum CatalogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The task needs a data directory and none was given.
    case missingDataDirectory(task: TaskName, contents: String)
    /// The data could not be loaded (`reason` is the loader's message).
    case dataUnavailable(task: TaskName, location: String, reason: String)
    /// A specification value is unusable for this task.
    case invalidSetting(task: TaskName, setting: String, value: String, expected: String)
    /// Building the model or the task failed.
    case buildFailed(task: TaskName, reason: String)

    public var description: String {
        switch self {
        case .missingDataDirectory(let task, let contents):
            return "task \(task) needs --data-dir DIR, the directory with \(contents)"
        case .dataUnavailable(let task, let location, let reason):
            return "task \(task) cannot load its data from '\(location)': \(reason)"
        case .invalidSetting(let task, let setting, let value, let expected):
            return "task \(task): \(setting) is \(value), expected \(expected)"
        case .buildFailed(let task, let reason):
            return "task \(task) could not be built: \(reason)"
        }
    }
}
