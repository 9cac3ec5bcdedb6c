/// Order statistics used by the comparison summaries.
enum ReportStatistics {
    /// The median of `values`: the middle element, or the mean of the two middle elements for an
    /// even count; `+infinity` entries stand for "not reached" and sort last. NaN for no values.
    ///
    /// - Complexity: O(n log n).
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        if sorted.count % 2 == 1 { return sorted[mid] }
        return sorted[mid - 1] == sorted[mid] ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid])
    }

    /// A finite value or nil (for `+infinity` = not reached, and NaN).
    static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
}
