import Foundation

/// A line chart rendered as a standalone SVG document: several named series, each an optional
/// shaded band (for example min-max over seeds) under a line (for example the median), linear
/// or log10 x axis, linear y axis, grid, tick labels, dashed reference lines and a legend.
///
/// The output is well-formed XML (text is escaped) that opens in any browser. Every series line
/// is a `<path class="series-line" data-series="NAME">`, every band a
/// `<path class="series-band" data-series="NAME">`, so tests and scripts can find them.
/// Non-finite points (and non-positive x on a log axis) break a line into segments.
public struct SVGPlot: Sendable {
    /// How an axis maps values to positions.
    public enum Scale: Sendable {
        /// Evenly spaced values.
        case linear
        /// Evenly spaced powers of ten; values must be positive.
        case log10
    }

    /// One data point of a line.
    public struct Point: Sendable, Equatable {
        /// Horizontal value.
        public var x: Double
        /// Vertical value.
        public var y: Double
        /// Makes a point.
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// One vertical slice of a band: the range `low...high` at `x`.
    public struct BandPoint: Sendable, Equatable {
        /// Horizontal value.
        public var x: Double
        /// Lower edge.
        public var low: Double
        /// Upper edge.
        public var high: Double
        /// Makes a band slice.
        public init(x: Double, low: Double, high: Double) {
            self.x = x
            self.low = low
            self.high = high
        }
    }

    /// One named series: a line and an optional band, drawn in the series' colour.
    public struct Series: Sendable {
        /// The legend label.
        public var name: String
        /// The line's points, in increasing x.
        public var points: [Point]
        /// The band's slices, in increasing x (empty = no band).
        public var band: [BandPoint]
        /// Makes a series.
        public init(name: String, points: [Point], band: [BandPoint] = []) {
            self.name = name
            self.points = points
            self.band = band
        }
    }

    /// A dashed horizontal reference line with a label (for example a target accuracy).
    public struct Rule: Sendable {
        /// The y value.
        public var y: Double
        /// The label drawn at the right end.
        public var label: String
        /// Makes a rule.
        public init(y: Double, label: String) {
            self.y = y
            self.label = label
        }
    }

    /// The title above the plot.
    public var title: String
    /// The x axis label.
    public var xLabel: String
    /// The y axis label.
    public var yLabel: String
    /// The x axis scale.
    public var xScale: Scale
    /// A fixed y range, or nil to fit the data.
    public var yRange: ClosedRange<Double>?
    /// The series, drawn in order (later on top).
    public var series: [Series]
    /// Horizontal reference lines.
    public var rules: [Rule]
    /// Document width in pixels.
    public var width: Double
    /// Document height in pixels.
    public var height: Double
    /// Formats an x tick value (the default prints SI-prefixed numbers).
    public var xTickFormat: @Sendable (Double) -> String

    /// Makes a plot.
    public init(
        title: String, xLabel: String, yLabel: String, xScale: Scale = .linear, yRange: ClosedRange<Double>? = nil,
        series: [Series], rules: [Rule] = [], width: Double = 820, height: Double = 480,
        xTickFormat: @escaping @Sendable (Double) -> String = SVGPlot.siLabel
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yRange = yRange
        self.series = series
        self.rules = rules
        self.width = width
        self.height = height
        self.xTickFormat = xTickFormat
    }

    /// The Tableau-10 palette; series take colours in order, cycling.
    public static let palette = [
        "#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    /// A number with an SI suffix where it helps: `250`, `1.5k`, `10M`, `2G`, `0.01`.
    public static func siLabel(_ v: Double) -> String {
        let a = abs(v)
        let (scaled, suffix): (Double, String) =
            a >= 1e12 ? (v / 1e12, "T") : a >= 1e9 ? (v / 1e9, "G") : a >= 1e6 ? (v / 1e6, "M") : a >= 1e4 ? (v / 1e3, "k") : (v, "")
        let text = scaled == scaled.rounded() ? String(Int64(scaled)) : String(format: "%.3g", scaled)
        return text + suffix
    }

    /// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}
