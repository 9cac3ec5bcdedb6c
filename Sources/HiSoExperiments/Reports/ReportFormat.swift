import Foundation

/// Text formatting shared by the report tables.
public enum ReportFormat {
    /// Bytes with a decimal SI prefix: `950 B`, `12.3 kB`, `4.56 MB`, `7.80 GB`.
    ///
    /// - Parameters:
    ///   - value: the byte count.
    ///   - trimmed: drop trailing zeros of the fraction (`1 kB` rather than `1.00 kB`).
    public static func bytes(_ value: Double, trimmed: Bool = false) -> String {
        guard value.isFinite else { return "-" }
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var v = value
        var u = 0
        while abs(v) >= 1000, u < units.count - 1 {
            v /= 1000
            u += 1
        }
        if u == 0 { return "\(Int(v.rounded())) B" }
        var number = abs(v) >= 100 ? fixed(v, 0) : abs(v) >= 10 ? fixed(v, 1) : fixed(v, 2)
        if trimmed, number.contains(".") {
            while number.hasSuffix("0") { number.removeLast() }
            if number.hasSuffix(".") { number.removeLast() }
        }
        return number + " " + units[u]
    }

    /// A round count: an integer when whole, else one decimal (an even-count median).
    public static func rounds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : fixed(value, 1)
    }

    /// `value` with `digits` decimals (no locale), `-` when not finite.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (abs(value) * scale).rounded() / scale
        let sign = value < 0 && rounded != 0 ? "-" : ""
        let whole = rounded.rounded(.down)
        var text = String(Int64(whole))
        if digits > 0 {
            let frac = Int64(((rounded - whole) * scale).rounded())
            let digitsText = String(frac)
            text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
        }
        return sign + text
    }

    /// A target as a percentage label: `0.7` -> `70%`, `0.755` -> `75.5%`.
    public static func percent(_ target: Double) -> String {
        let p = target * 100
        return (abs(p - p.rounded()) < 1e-9 ? String(Int(p.rounded())) : fixed(p, 1)) + "%"
    }

    /// A learning rate in short scientific form: `0.01` -> `1e-2`, `0.003` -> `3e-3`, `0.5` -> `0.5`.
    public static func learningRate(_ lr: Double) -> String {
        guard lr.isFinite, lr > 0 else { return String(describing: lr) }
        if lr >= 0.1 { return String(describing: lr) }
        var exponent = 0
        var mantissa = lr
        while mantissa < 1 {
            mantissa *= 10
            exponent -= 1
        }
        let m = (mantissa * 1000).rounded() / 1000
        let mText = m == m.rounded() ? String(Int(m)) : String(describing: m)
        return "\(mText)e\(exponent)"
    }

    /// Lays out rows as columns separated by two spaces; the first `leftAligned` columns are
    /// left-aligned, the rest right-aligned. The header row is followed by a rule of dashes.
    public static func columns(_ header: [String], _ rows: [[String]], leftAligned: Int = 1) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i < leftAligned ? cell + pad : pad + cell
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = line(header) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }
}
