import CFuzzDriver
import Foundation

/// Starts libFuzzer from a target's `@main`.
public enum FuzzDriver {
    /// Runs libFuzzer with the process's arguments on `body` and exits with its status.
    ///
    /// - Parameter body: one input (bytes and count); it must return 0 and may not capture state.
    public static func run(_ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = hiso_fuzz_run(&argc, &argv, body)
        exit(status)
    }
}
