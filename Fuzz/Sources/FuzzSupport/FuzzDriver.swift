import CFuzzDriver
import Foundation

/// Starts libFuzzer from a target's `@main`.
public enum FuzzDriver {
    /// The environment variable that makes a target write its generated seeds instead of fuzzing.
    public static let seedVariable = "HISO_FUZZ_WRITE_SEEDS"

    /// Runs libFuzzer with the process's arguments on `body` and exits with its status; with
    /// `HISO_FUZZ_WRITE_SEEDS=DIR` in the environment, writes `seeds()` (file name, contents) into
    /// `DIR` instead (for the targets whose valid inputs are easiest made by the library itself).
    ///
    /// - Parameters:
    ///   - body: one input (bytes and count); it must return 0 and may not capture state.
    ///   - seeds: generated seed files.
    public static func run(
        _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32, seeds: () throws -> [(String, Data)] = { [] }
    ) -> Never {
        if let directory = ProcessInfo.processInfo.environment[seedVariable] {
            do {
                for (name, contents) in try seeds() {
                    try contents.write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
                }
            } catch {
                fatalError("fuzz harness: cannot write seeds: \(error)")
            }
            exit(0)
        }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = hiso_fuzz_run(&argc, &argv, body)
        exit(status)
    }
}
