import Foundation
import HiSoFederation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--out` folder of `train` or `compare`, and the earlier run it may hold.
///
/// A run never writes over an earlier one: without `--force` or `--resume`, a folder holding
/// any of ``runFiles`` is refused (``check(_:)``); with `--force` those files move into
/// `replaced-<UTC time>/` inside the folder (``moveAside(at:)``), once the new run's settings and
/// data have been checked. Other files in the folder are left alone.
struct OutputFolder {
    /// What to do with an earlier run in the folder.
    enum Policy: Equatable {
        /// Refuse a folder that holds one (the default).
        case fresh
        /// Move it aside (`--force`).
        case replace
        /// Continue it (`--resume`).
        case resume
    }

    /// The folder.
    let directory: URL
    /// Which command writes it.
    let mode: RunSettings.Mode

    /// The names `train` and `compare` write at the top of their folder.
    static let runFiles = [
        "config.json", "plan.json", "summary.json", "curve.csv", "run.json", "checkpoint.json", "summary.csv", "curves.csv",
        "table.txt", "report.md", "accuracy_vs_rounds.svg", "accuracy_vs_bytes.svg", "runs",
    ]

    /// A file in the folder.
    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The ``runFiles`` present now, in that order.
    var earlierRunFiles: [String] {
        Self.runFiles.filter { FileManager.default.fileExists(atPath: file($0).path) }
    }

    /// Checks what the folder holds against `policy`, before anything runs.
    ///
    /// - Throws: ``CommandLineError`` for a folder with an earlier run under ``Policy/fresh``
    ///   (naming `--resume` and `--force`), a folder without a run (or with the other command's
    ///   run) under ``Policy/resume``.
    func check(_ policy: Policy) throws(CommandLineError) {
        let earlier = earlierRunFiles
        let path = directory.path
        switch policy {
        case .fresh:
            guard earlier.isEmpty else {
                throw .conflict(
                    "'\(path)' holds an earlier run (\(earlier.prefix(3).joined(separator: ", "))\(earlier.count > 3 ? ", ..." : "")); "
                        + "continue it with --resume \(path), replace it with --force, or choose another --out.")
            }
        case .resume:
            let kind = earlier.contains("runs") ? "compare" : earlier.contains("curve.csv") ? "train" : nil
            guard let kind else {
                throw .conflict("'\(path)' holds no run to resume (no curve.csv or runs/); start one with --out \(path).")
            }
            let command = mode == .train ? "train" : "compare"
            guard kind == command else {
                throw .conflict("'\(path)' holds a \(kind) run; continue it with hiso \(kind) --resume \(path).")
            }
        case .replace:
            break
        }
    }

    /// Moves the earlier run's files into `replaced-<yyyyMMdd-HHmmss>/` (UTC) inside the folder.
    ///
    /// - Parameter date: the time that names the subfolder.
    /// - Returns: the subfolder, or `nil` when there was nothing to move.
    /// - Throws: `ReportError` naming the file that could not be moved.
    @discardableResult
    func moveAside(at date: Date = Date()) throws(ReportError) -> URL? {
        let earlier = earlierRunFiles
        guard !earlier.isEmpty else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        var target = file("replaced-" + formatter.string(from: date))
        var n = 1
        while FileManager.default.fileExists(atPath: target.path) {
            n += 1
            target = file("replaced-\(formatter.string(from: date))-\(n)")
        }
        try AtomicFile.createDirectory(target)
        for name in earlier where rename(file(name).path, target.appendingPathComponent(name).path) != 0 {
            throw .cannotWrite(path: file(name).path, reason: AtomicFile.diagnosis(errno, creating: target.appendingPathComponent(name)))
        }
        return target
    }
}
