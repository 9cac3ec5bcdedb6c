import Foundation

extension SVGPlot {
    /// The plot as a complete SVG document (UTF-8 text, XML declaration first).
    ///
    /// - Complexity: O(total points). Memory: the output string.
    public func render() -> String {
        let legendWidth = min(260, max(130, 40 + 7.2 * Double(series.map(\.name.count).max() ?? 0)))
        let left = 70.0, top = 44.0, bottom = height - 56, right = width - legendWidth - 14
        let xAxis = makeXAxis()
        let yAxis = makeYAxis()
        func px(_ x: Double) -> Double? { xAxis.fraction(x).map { left + $0 * (right - left) } }
        func py(_ y: Double) -> Double? { yAxis.fraction(y).map { bottom - $0 * (bottom - top) } }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }

        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
        s += "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<title>\(Self.escape(title))</title>\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<defs><clipPath id=\"plot-area\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\"/></clipPath></defs>\n"
        s += "<text x=\"\(f(width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(Self.escape(title))</text>\n"

        s += "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n"
        for v in xAxis.minor { if let x = px(v) { s += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(bottom))\" stroke=\"#f2f2f2\"/>\n" } }
        for v in xAxis.ticks { if let x = px(v) { s += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(bottom))\"/>\n" } }
        for v in yAxis.ticks { if let y = py(v) { s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\"/>\n" } }
        s += "</g>\n"

        s += "<g class=\"ticks\" fill=\"#333\">\n"
        for v in xAxis.ticks {
            if let x = px(v) { s += "<text x=\"\(f(x))\" y=\"\(f(bottom + 17))\" text-anchor=\"middle\">\(Self.escape(xTickFormat(v)))</text>\n" }
        }
        for v in yAxis.ticks {
            if let y = py(v) { s += "<text x=\"\(f(left - 7))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Self.escape(Self.yLabel(v)))</text>\n" }
        }
        s += "</g>\n"
        s += "<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(height - 14))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        s += "<text x=\"18\" y=\"\(f((top + bottom) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(f((top + bottom) / 2)))\">\(Self.escape(yLabel))</text>\n"

        s += "<g class=\"data\" clip-path=\"url(#plot-area)\">\n"
        for rule in rules {
            guard let y = py(rule.y) else { continue }
            s += "<line class=\"rule\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\" stroke=\"#888\" stroke-dasharray=\"5 4\"/>\n"
            s += "<text x=\"\(f(left + 4))\" y=\"\(f(y - 4))\" text-anchor=\"start\" fill=\"#666\" font-size=\"11\">\(Self.escape(rule.label))</text>\n"
        }
        for (i, item) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let name = Self.escape(item.name)
            let band = bandPath(item.band, px: px, py: py)
            if !band.isEmpty {
                s += "<path class=\"series-band\" data-series=\"\(name)\" d=\"\(band)\" fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
            }
            s += "<path class=\"series-line\" data-series=\"\(name)\" d=\"\(linePath(item.points, px: px, py: py))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n"
        }
        s += "</g>\n"

        s += "<g class=\"legend\">\n"
        for (i, item) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let y = top + 10 + Double(i) * 22
            let x = right + 16
            if !item.band.isEmpty {
                s += "<rect x=\"\(f(x))\" y=\"\(f(y - 7))\" width=\"26\" height=\"14\" fill=\"\(color)\" fill-opacity=\"0.18\"/>\n"
            }
            s += "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 26))\" y2=\"\(f(y))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(f(x + 32))\" y=\"\(f(y + 4))\">\(Self.escape(item.name))</text>\n"
        }
        s += "</g>\n</svg>\n"
        return s
    }

    /// `M x y L x y ...`, starting a new segment after every point that cannot be placed.
    func linePath(_ points: [Point], px: (Double) -> Double?, py: (Double) -> Double?) -> String {
        var d = ""
        var pen = false
        for p in points {
            guard let x = px(p.x), let y = py(p.y) else {
                pen = false
                continue
            }
            d += (pen ? "L" : (d.isEmpty ? "M" : " M")) + String(format: "%.2f %.2f", x, y)
            pen = true
        }
        return d.isEmpty ? "M0 0" : d
    }

    /// Closed polygons (upper edge forward, lower edge back) over each run of placeable slices.
    func bandPath(_ band: [BandPoint], px: (Double) -> Double?, py: (Double) -> Double?) -> String {
        var d = ""
        var run: [(Double, Double, Double)] = []
        func flush() {
            if run.count >= 2 {
                d += (d.isEmpty ? "M" : " M") + run.map { String(format: "%.2f %.2f", $0.0, $0.2) }.joined(separator: "L")
                d += "L" + run.reversed().map { String(format: "%.2f %.2f", $0.0, $0.1) }.joined(separator: "L") + "Z"
            }
            run.removeAll()
        }
        for b in band {
            if let x = px(b.x), let lo = py(b.low), let hi = py(b.high) { run.append((x, lo, hi)) } else { flush() }
        }
        flush()
        return d
    }

    /// The x axis fitted to every finite (and, on a log axis, positive) x of lines and bands; a
    /// linear axis spans exactly the data (a curve's axis ends at its last round), with nice
    /// ticks inside.
    func makeXAxis() -> Axis {
        let xs = series.flatMap { $0.points.map(\.x) + $0.band.map(\.x) }
            .filter { $0.isFinite && (xScale == .linear || $0 > 0) }
        let lo = xs.min() ?? .nan, hi = xs.max() ?? .nan
        switch xScale {
        case .linear: return Self.linearAxis(lo, hi, count: 8, fixed: true)
        case .log10: return Self.logAxis(lo, hi)
        }
    }

    /// The y axis: ``yRange`` when given, else fitted to lines, bands and rules.
    func makeYAxis() -> Axis {
        if let range = yRange { return Self.linearAxis(range.lowerBound, range.upperBound, count: 6, fixed: true) }
        let ys = (series.flatMap { $0.points.map(\.y) + $0.band.flatMap { [$0.low, $0.high] } } + rules.map(\.y)).filter(\.isFinite)
        return Self.linearAxis(ys.min() ?? .nan, ys.max() ?? .nan, count: 6, fixed: false)
    }
}
