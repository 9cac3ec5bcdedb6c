import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C handling: the first SIGINT sets a flag that the training loop checks between rounds,
/// so the run stops cleanly and its files stay valid; a second SIGINT exits at once (status 130).
///
/// The signal is received through a `DispatchSource` (the default action is disabled while it is
/// installed), so nothing unsafe runs in a signal handler.
final class InterruptFlag: Sendable {
    private let raised = Atomic<Int>(0)

    /// Makes a flag that is not yet listening (see ``install()``).
    init() {}

    /// Whether Ctrl-C was pressed since ``install()``.
    var isRaised: Bool { raised.load(ordering: .acquiring) > 0 }

    /// Starts listening for SIGINT (once per process: use ``installed()``).
    ///
    /// - Returns: the signal source, which must stay alive while listening.
    private func install() -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global(qos: .userInitiated))
        source.setEventHandler { [self] in
            let count = raised.add(1, ordering: .acquiringAndReleasing).newValue
            if count == 1 {
                Self.writeStandardError("\n^C: stopping after the current round; press Ctrl-C again to quit at once.\n")
            } else {
                Self.writeStandardError("\n^C: quitting.\n")
                exit(130)
            }
        }
        source.resume()
        return source
    }

    /// The process-wide flag, listening for SIGINT from the first use on.
    static func installed() -> InterruptFlag { shared.flag }

    /// The shared flag and its signal source. Initialised once (thread-safely, as every global)
    /// and never mutated afterwards, which is why the non-Sendable source may live here.
    nonisolated(unsafe) private static let shared: (flag: InterruptFlag, source: any DispatchSourceSignal) = {
        let flag = InterruptFlag()
        return (flag, flag.install())
    }()

    /// Raises the flag as if Ctrl-C had been pressed (tests and time budgets).
    func raise() { raised.add(1, ordering: .acquiringAndReleasing) }

    /// Writes text to stderr unbuffered.
    static func writeStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}
