import Logging

/// Sends swift-log output to stderr, once per process (later calls do nothing, so commands can
/// run several times in one process, as the tests do).
enum LogSetup {
    private static let once: Void = LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .trace
        return handler
    }

    /// Installs the stderr handler if not yet done.
    static func bootstrap() { once }
}
