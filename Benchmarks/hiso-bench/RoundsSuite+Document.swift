import Foundation
import HiSoKernels

/// The JSON document of `hiso-bench rounds --json` (and of the convergence suite's metadata).
struct RoundsDocument: Encodable {
    /// Where and when the numbers were measured.
    struct Metadata: Encodable {
        var suite: String
        var date: String
        var cpu: String
        var logicalCpus: Int
        var commit: String?
        var build: String
        var compiledBackends: [String]
        var trials: Int
        var quick: Bool

        /// This machine and build now.
        static func current(suite: String = "rounds", trials: Int, quick: Bool) -> Metadata {
            Metadata(
                suite: suite, date: ISO8601DateFormatter().string(from: Date()), cpu: cpuModel(),
                logicalCpus: ProcessInfo.processInfo.activeProcessorCount, commit: gitCommit(),
                build: buildConfiguration, compiledBackends: Kernels.compiledBackends.map(\.rawValue), trials: trials, quick: quick)
        }

        private static var buildConfiguration: String {
            #if DEBUG
            return "debug"
            #else
            return "release"
            #endif
        }

        private static func cpuModel() -> String {
            guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
            for line in text.split(separator: "\n") where line.hasPrefix("model name") {
                if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
            }
            return "unknown"
        }

        private static func gitCommit() -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "describe", "--always", "--dirty", "--abbrev=12"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { return nil }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }
    }

    var metadata: Metadata
    var results: [RoundsSuite.Entry]
}
