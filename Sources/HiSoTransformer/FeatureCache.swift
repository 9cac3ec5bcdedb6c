/// Pooled embeddings of a frozen encoder, computed once per sentence (head-only training).
final class FeatureCache {
    /// Floats per row.
    let width: Int
    private var rows: [Float]
    private var present: [Bool]

    /// An empty cache of `count` rows of `width` floats (`4 * count * width` bytes).
    init(count: Int, width: Int) {
        self.width = width
        rows = [Float](repeating: 0, count: count * width)
        present = [Bool](repeating: false, count: count)
    }

    /// Whether row `i` is stored.
    func has(_ i: Int) -> Bool { present[i] }

    /// Stores row `i`.
    func store(_ i: Int, from source: UnsafePointer<Float>) {
        rows.withUnsafeMutableBufferPointer { r in (r.baseAddress! + i * width).update(from: source, count: width) }
        present[i] = true
    }

    /// Copies stored row `i` out.
    func load(_ i: Int, into destination: UnsafeMutablePointer<Float>) {
        rows.withUnsafeBufferPointer { r in destination.update(from: r.baseAddress! + i * width, count: width) }
    }
}
