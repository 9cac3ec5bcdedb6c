import Foundation
import HiSoExperiments
import HiSoFederation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line live progress display on stderr: label, round, rounds per second, the latest test
/// accuracy and the estimated time left. It redraws at most 10 times a second with `\r` and
/// clears its line when done.
///
/// It is active only when stderr is a terminal (`isatty(2)`) and not disabled; otherwise every
/// call is a no-op, so redirected output and `--json` runs stay clean.
final class ProgressDisplay {
    /// Whether the display draws at all.
    let isActive: Bool
    private let clock = ContinuousClock()
    private var lastDraw: ContinuousClock.Instant?
    private var start = ContinuousClock.now
    private var label = ""
    private var totalRounds = 0
    private var accuracy: Double?
    private var lineLength = 0

    /// - Parameter enabled: false to silence it even on a terminal.
    init(enabled: Bool = true) {
        isActive = enabled && isatty(2) == 1
    }

    /// Starts a new run's line.
    ///
    /// - Parameters:
    ///   - label: what runs (for example `hiso lr 1e-2 seed 1 (4/6)`).
    ///   - rounds: the run length, for the ETA.
    func begin(_ label: String, rounds: Int) {
        self.label = label
        totalRounds = rounds
        accuracy = nil
        start = clock.now
        lastDraw = nil
    }

    /// Records an evaluated accuracy to show from now on.
    func evaluated(accuracy: Double?) { self.accuracy = accuracy }

    /// Reports that `round` rounds are done; redraws if 100 ms passed since the last draw.
    func update(round: Int) {
        guard isActive else { return }
        let now = clock.now
        if let last = lastDraw, now - last < .milliseconds(100), round < totalRounds { return }
        lastDraw = now
        draw(Self.line(label: label, round: round, total: totalRounds, seconds: Self.seconds(now - start), accuracy: accuracy))
    }

    /// Clears the line (call before printing anything else to stderr, and at the end).
    func clear() {
        guard isActive, lineLength > 0 else { return }
        InterruptFlag.writeStandardError("\r" + String(repeating: " ", count: lineLength) + "\r")
        lineLength = 0
    }

    /// The text of one progress line.
    ///
    /// `label  round r/R  x.x r/s  acc 0.912  ETA m:ss` (the accuracy part only once evaluated).
    static func line(label: String, round: Int, total: Int, seconds: Double, accuracy: Double?) -> String {
        let rate = seconds > 0 ? Double(round) / seconds : 0
        var text = "\(label)  round \(round)/\(total)"
        text += rate >= 100 ? "  \(Int(rate)) r/s" : "  \(ReportFormat.fixed(rate, 1)) r/s"
        if let accuracy { text += "  acc \(ReportFormat.fixed(accuracy, 3))" }
        if rate > 0, round < total {
            text += "  ETA \(duration(Double(total - round) / rate))"
        }
        return text
    }

    /// `m:ss` or `h:mm:ss`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        let (h, m, r) = (s / 3600, (s % 3600) / 60, s % 60)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(r))" : "\(m):\(two(r))"
    }

    private func draw(_ text: String) {
        let columns = Self.terminalColumns()
        let shown = text.count >= columns ? String(text.prefix(columns - 1)) : text
        let pad = max(0, lineLength - shown.count)
        InterruptFlag.writeStandardError("\r" + shown + String(repeating: " ", count: pad))
        lineLength = shown.count
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    private static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 10 { return Int(size.ws_col) }
        return 100
    }
}
