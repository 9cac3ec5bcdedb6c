import Logging

extension Logger {
    /// A logger that writes to standard error with the process's role in its label.
    static func process(_ label: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .info
        return logger
    }
}
