import Foundation

/// A `hiso-net` child process whose standard error goes to a file the test can watch.
final class NetProcess {
    let process = Process()
    let logPath: String

    /// The `hiso-net` executable next to the test bundle (`swift test` builds it first).
    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("hiso-net")
    }

    /// Starts `hiso-net arguments`, or `launcher... hiso-net arguments` (for example
    /// `ip netns exec NAME`).
    init(_ arguments: [String], log: String, launcher: [String] = []) throws {
        logPath = log
        FileManager.default.createFile(atPath: log, contents: nil)
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [Self.executable.path] + arguments
        } else {
            process.executableURL = Self.executable
            process.arguments = arguments
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
    }

    /// The process's output so far.
    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the output contains `text` (or throws after `timeout` seconds).
    func waitFor(_ text: String, timeout: Double = 120) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !output.contains(text) {
            guard Date() < deadline else { throw TestFailure("no '\(text)' in \(logPath) after \(timeout) s:\n\(output.suffix(3000))") }
            guard process.isRunning || output.contains(text) else {
                throw TestFailure("process exited (\(process.terminationStatus)) before '\(text)':\n\(output.suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits for the process to exit and returns its status (throws after `timeout` seconds).
    @discardableResult
    func waitForExit(timeout: Double = 300) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            guard Date() < deadline else {
                kill()
                throw TestFailure("\(logPath): still running after \(timeout) s:\n\(output.suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// SIGKILL, as a crash.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { kill() }
}
