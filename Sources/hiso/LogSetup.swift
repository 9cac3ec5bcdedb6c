import Foundation
import Logging

/// Sends swift-log output to stderr, once per process (later calls do nothing, so commands can
/// run several times in one process, as the tests do).
enum LogSetup {
    private static let once: Void = LoggingSystem.bootstrap { label in LineLogHandler(label: label) }

    /// Installs the stderr handler if not yet done.
    static func bootstrap() { once }
}

/// One line per message on stderr: `<UTC time> <label>: <message>` for info and notice,
/// `<UTC time> <label>: <level>: <message>` for the other levels, metadata as ` key=value`.
struct LineLogHandler: LogHandler {
    /// The logger's label (`hiso`).
    let label: String
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        InterruptFlag.writeStandardError(line(event.level, event.message, event.metadata, time: Date()) + "\n")
    }

    /// The text of one log line (without the newline).
    func line(_ level: Logger.Level, _ message: Logger.Message, _ extra: Logger.Metadata?, time: Date) -> String {
        let stamp = ISO8601DateFormatter.string(from: time, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        let severity = level == .info || level == .notice ? "" : "\(level): "
        let all = metadata.merging(extra ?? [:]) { $1 }
        let fields = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        return "\(stamp) \(label): \(severity)\(message)\(fields)"
    }
}
