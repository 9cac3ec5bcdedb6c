import Foundation
import HiSoFederation
import HiSoKernels

/// Collects a suite's results and prints them: a table row per result as it arrives (default),
/// or exactly one JSON object on stdout at the end (`--json`).
final class Report {
    /// The machine and build the results were measured on.
    struct Metadata: Codable, Sendable {
        /// The suite (subcommand) name.
        var suite: String
        /// ISO 8601 UTC time the run started.
        var date: String
        /// CPU model from /proc/cpuinfo (or `unknown`).
        var cpu: String
        /// Logical CPUs online.
        var logicalCpus: Int
        /// The working directory's commit, `-dirty` when modified (`RunProvenance.currentGitCommit`).
        var commit: String?
        /// `release` or `debug`.
        var build: String
        /// The backends compiled into this build.
        var compiledBackends: [BackendKind]
        /// Whether `--quick` was given.
        var quick: Bool
        /// Timed trials per entry.
        var trials: Int
    }

    /// The JSON document: metadata plus results.
    private struct Document: Encodable {
        var metadata: Metadata
        var results: [BenchmarkResult]
    }

    private let json: Bool
    private let metadata: Metadata
    private(set) var results: [BenchmarkResult] = []
    private var printedHeader = false

    /// - Parameters:
    ///   - suite: the suite name for the metadata.
    ///   - options: the shared options (`--json`, `--quick`, `--trials`).
    init(suite: String, options: BenchmarkOptions) {
        json = options.json
        metadata = .current(suite: suite, trials: options.trials, quick: options.quick)
        if !json {
            print("# hiso-bench \(suite) | \(metadata.date) | \(metadata.cpu) x\(metadata.logicalCpus) | "
                + "commit \(metadata.commit ?? "unknown") | \(metadata.build) | trials \(metadata.trials)")
        }
    }

    /// Adds a result; in table mode prints its row at once.
    func record(_ result: BenchmarkResult) {
        results.append(result)
        guard !json else { return }
        if !printedHeader {
            printedHeader = true
            print(Self.row(["name", "task", "method", "backend", "thr", "d / shape", "value", "unit", "floor", "ratio", "spread"]))
        }
        print(Self.row([
            result.name, result.task ?? "-", result.method ?? "-", result.backend.rawValue, String(result.threads),
            result.d.map(String.init) ?? result.shape ?? "-",
            Self.format(result.value), result.unit,
            result.floor.map(Self.format) ?? "-",
            result.ratio.map { String(format: "%.3f", $0) } ?? "-",
            String(format: "%.0f%%", 100 * result.spread),
        ]))
    }

    /// Writes a progress message to stderr (never to stdout, which `--json` reserves).
    func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Ends the run: in JSON mode prints the single JSON object.
    func finish() throws {
        guard json else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(Document(metadata: metadata, results: results))
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    private static let widths = [18, 12, 10, 8, 3, 16, 11, 10, 11, 6, 6]
    /// The columns aligned left (text); the others are numbers, aligned right.
    private static let leftAligned: Set<Int> = [0, 1, 2, 3, 5, 7]

    /// One table line: the cells padded to ``widths``.
    private static func row(_ cells: [String]) -> String {
        zip(cells, widths).enumerated().map { index, pair in
            let (cell, width) = pair
            let pad = String(repeating: " ", count: max(0, width - cell.count))
            return leftAligned.contains(index) ? cell + pad : pad + cell
        }.joined(separator: "  ")
    }

    private static func format(_ v: Double) -> String {
        if !v.isFinite { return String(v) }
        let a = abs(v)
        if a >= 1000 { return String(format: "%.0f", v) }
        if a >= 10 { return String(format: "%.1f", v) }
        if a >= 0.1 { return String(format: "%.3f", v) }
        return String(format: "%.3g", v)
    }
}

extension Report.Metadata {
    /// This machine and build now.
    static func current(suite: String, trials: Int, quick: Bool) -> Self {
        Self(
            suite: suite, date: ISO8601DateFormatter().string(from: Date()), cpu: cpuModel(),
            logicalCpus: ProcessInfo.processInfo.activeProcessorCount, commit: RunProvenance.currentGitCommit, build: buildConfiguration,
            compiledBackends: Kernels.compiledBackends, quick: quick, trials: trials)
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
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }
}
