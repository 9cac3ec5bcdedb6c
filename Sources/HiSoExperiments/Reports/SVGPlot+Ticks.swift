import Foundation

extension SVGPlot {
    /// An axis domain with its tick values.
    struct Axis {
        /// Lowest value drawn.
        var low: Double
        /// Highest value drawn.
        var high: Double
        /// Tick values (labelled, with grid lines).
        var ticks: [Double]
        /// Unlabelled minor grid values (log axes only).
        var minor: [Double]
        /// The axis scale.
        var scale: Scale

        /// The fraction (0 at `low`, 1 at `high`) of `value` along the axis; nil if it cannot be
        /// placed (non-finite, or not positive on a log axis).
        func fraction(_ value: Double) -> Double? {
            guard value.isFinite else { return nil }
            switch scale {
            case .linear:
                return (value - low) / (high - low)
            case .log10:
                guard value > 0 else { return nil }
                return (Foundation.log10(value) - Foundation.log10(low)) / (Foundation.log10(high) - Foundation.log10(low))
            }
        }
    }

    /// A "nice" step near `range / count`: 1, 2 or 5 times a power of ten.
    static func niceStep(_ range: Double, count: Int) -> Double {
        let raw = range / Double(max(count, 1))
        let power = pow(10, (Foundation.log10(raw)).rounded(.down))
        let m = raw / power
        return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * power
    }

    /// A linear axis over `low...high` widened to whole steps, with about `count` ticks.
    ///
    /// - Parameter fixed: keep `low` and `high` exactly (ticks inside only).
    static func linearAxis(_ low: Double, _ high: Double, count: Int, fixed: Bool) -> Axis {
        var lo = low, hi = high
        if !(lo.isFinite && hi.isFinite) { (lo, hi) = (0, 1) }
        if hi - lo < 1e-12 * max(abs(lo), 1) { (lo, hi) = (lo - 0.5, hi + 0.5) }
        let step = niceStep(hi - lo, count: count)
        if !fixed {
            lo = (lo / step).rounded(.down) * step
            hi = (hi / step).rounded(.up) * step
        }
        var ticks: [Double] = []
        var k = (lo / step).rounded(.up)
        while k * step <= hi + 1e-9 * step {
            let v = k * step
            ticks.append(abs(v) < 1e-12 * step ? 0 : v)
            k += 1
        }
        return Axis(low: lo, high: hi, ticks: ticks, minor: [], scale: .linear)
    }

    /// A log10 axis from the power of ten at or below `low` to the one at or above `high`,
    /// ticks at powers of ten (every other one beyond 8 decades), minor lines at 2..9 x 10^k.
    static func logAxis(_ low: Double, _ high: Double) -> Axis {
        var lo = low, hi = high
        if !(lo.isFinite && hi.isFinite && lo > 0 && hi > 0) { (lo, hi) = (1, 10) }
        var e0 = Foundation.log10(lo).rounded(.down)
        var e1 = Foundation.log10(hi).rounded(.up)
        if e1 <= e0 { e1 = e0 + 1 }
        if e1 - e0 < 1 { e0 -= 1 }
        let every = e1 - e0 > 8 ? 2.0 : 1.0
        var ticks: [Double] = []
        var minor: [Double] = []
        var e = e0
        while e <= e1 {
            let power = pow(10, e)
            if (e - e0).truncatingRemainder(dividingBy: every) == 0 { ticks.append(power) }
            if e < e1 { for m in 2...9 { minor.append(Double(m) * power) } }
            e += 1
        }
        return Axis(low: pow(10, e0), high: pow(10, e1), ticks: ticks, minor: minor, scale: .log10)
    }

    /// A y tick label: up to 3 significant digits, no trailing zeros.
    static func yLabel(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e6 { return String(Int64(v)) }
        var text = String(format: "%.3f", v)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
