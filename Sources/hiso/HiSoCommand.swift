import ArgumentParser
import Foundation
import HiSoFederation
import HiSoKernels

/// The `hiso` command: `train`, `compare`, `info` and `similarity`.
///
/// Exit status: 0 on success (and for `--help`), 2 for a user error (bad flag, bad config file,
/// missing data, unwritable output; printed as one line, no stack trace), 1 when a run fails
/// (divergence; the files written so far are kept), 130 when stopped by Ctrl-C (partial results
/// are kept and valid).
@main
struct HiSoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hiso",
        abstract: "Federated zeroth-order training with scalar-only communication (DeComFL, HiSo and baselines).",
        discussion: """
            Start with: hiso compare (DeComFL vs HiSo on the built-in digits data, 3 seeds, under a minute).

            Every flag can also be given in a JSON or YAML file with --config FILE (keys = flag names).
            """,
        version: versionText,
        subcommands: [CompareCommand.self, TrainCommand.self, InfoCommand.self, SimilarityCommand.self]
    )

    /// `hiso --version`: the package version, the backends of this build, the default thread
    /// count, the platform and the git commit (when the executable sits in a git checkout).
    static var versionText: String {
        let provenance = RunProvenance.current(backend: nil, threads: 1)
        return """
            hiso \(provenance.packageVersion)
            backend \(provenance.backend) (compiled: \(Kernels.compiledBackends.map(\.rawValue).joined(separator: ", ")); choose with --backend)
            threads 1 by default (--threads N)
            platform \(provenance.platform)
            commit \(provenance.gitCommit ?? "unknown (not run from a git checkout)")
            """
    }

    /// Parses the process arguments, runs the command and exits with the documented status.
    static func main() {
        let status = execute(Array(CommandLine.arguments.dropFirst()))
        Foundation.exit(status)
    }

    /// Runs `hiso` with `arguments` and returns the exit status; errors go to stderr as one line.
    ///
    /// - Parameters:
    ///   - arguments: the arguments after the program name.
    ///   - standardError: where the one-line error message goes (stderr by default).
    static func execute(_ arguments: [String], standardError: (String) -> Void = InterruptFlag.writeStandardError) -> Int32 {
        var expanded = arguments
        do {
            expanded = try layered(arguments)
            var command = try parseAsRoot(expanded)
            try command.run()
            return 0
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                return 0
            }
            let (message, status) = classify(error)
            standardError("hiso: error: \(message)\(fileOrigin(of: message, in: expanded))\n")
            return status
        }
    }

    /// The one-line message and exit status of an error (see the type's notes).
    /// `arguments` with the `--config` file of `train` or `compare` layered under the flags
    /// (``SharedOptions/layered(_:)``).
    static func layered(_ arguments: [String]) throws(CommandLineError) -> [String] {
        guard let command = arguments.first, ["train", "compare"].contains(command) else { return arguments }
        return [command] + (try SharedOptions.layered(Array(arguments.dropFirst())))
    }

    /// ` (set by 'KEY' in FILE)` when a parse error names a flag that the config file supplied.
    static func fileOrigin(of message: String, in arguments: [String]) -> String {
        guard let keys = arguments.first(where: { $0.hasPrefix("--config-keys=") })?.dropFirst("--config-keys=".count),
              let path = arguments.firstIndex(of: "--config").flatMap({ $0 + 1 < arguments.count ? arguments[$0 + 1] : nil })
                ?? arguments.first(where: { $0.hasPrefix("--config=") }).map({ String($0.dropFirst("--config=".count)) })
        else { return "" }
        for key in keys.split(separator: ",") where message.contains("'--\(key) ") || message.contains("'--\(key)'") {
            return " (set by '\(key)' in \(path))"
        }
        return ""
    }

    static func classify(_ error: any Error) -> (String, Int32) {
        switch error {
        case let failure as RunFailure:
            return (failure.description, failure.exitStatus)
        default:
            return (oneLine(message(for: error)), 2)
        }
    }

    /// `text` with line breaks turned into `; ` and an ArgumentParser `Error: ` prefix removed.
    static func oneLine(_ text: String) -> String {
        var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        lines = lines.filter { !$0.hasPrefix("Usage:") && !$0.hasPrefix("See '") && !$0.hasPrefix("Help:") }
        var parts: [String] = []
        for line in lines {
            if line.hasPrefix("- "), let last = parts.last {
                parts[parts.count - 1] = last + (last.hasSuffix(":") ? " " : ", ") + line.dropFirst(2)
            } else {
                parts.append(line)
            }
        }
        var line = parts.joined(separator: "; ")
        if line.hasPrefix("Error: ") { line.removeFirst(7) }
        return line.isEmpty ? "invalid arguments (see hiso --help)" : line
    }
}

/// A run that started but could not finish normally; its files are kept.
struct RunFailure: Error, CustomStringConvertible {
    /// The one-line reason.
    var description: String
    /// 1 for a failed run, 130 for a run stopped by Ctrl-C.
    var exitStatus: Int32
}
