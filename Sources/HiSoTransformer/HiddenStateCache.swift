/// Hidden states of a frozen encoder prefix (the embeddings and the first `layers` layers), kept
/// per text so that training only the last layers re-runs only those layers.
///
/// Row `j` of text `i` is stored at packed position `texts.starts[i] + j`, as in ``EncodedTexts``.
/// Memory: `4 h * texts.ids.count` bytes (about 120 MB for 6,000 SST-2 training phrases at h 384),
/// allocated once at creation.
public final class HiddenStateCache {
    /// The number of leading layers whose output is cached.
    public let layers: Int
    /// Floats per row (the hidden size).
    public let width: Int
    private let starts: [Int]
    private var rows: [Float]
    private var present: [Bool]

    /// An empty cache for the texts of `texts`, holding the output of layer `layers - 1`.
    public init(texts: EncodedTexts, layers: Int, width: Int) {
        self.layers = layers
        self.width = width
        starts = texts.starts
        rows = [Float](repeating: 0, count: texts.ids.count * width)
        present = [Bool](repeating: false, count: texts.count)
    }

    /// Whether text `i` is stored.
    public func has(_ i: Int) -> Bool { present[i] }

    /// Whether every text of `indices` is stored (an index loop: no allocation, even unoptimised).
    public func hasAll(_ indices: [Int]) -> Bool {
        for k in 0..<indices.count where !present[indices[k]] { return false }
        return true
    }

    /// Stores text `i`'s rows from `source` (`length * width` floats).
    func store(_ i: Int, from source: UnsafePointer<Float>) {
        let count = (starts[i + 1] - starts[i]) * width
        rows.withUnsafeMutableBufferPointer { r in (r.baseAddress! + starts[i] * width).update(from: source, count: count) }
        present[i] = true
    }

    /// Copies text `i`'s stored rows into `destination`.
    func load(_ i: Int, into destination: UnsafeMutablePointer<Float>) {
        let count = (starts[i + 1] - starts[i]) * width
        rows.withUnsafeBufferPointer { r in destination.update(from: r.baseAddress! + starts[i] * width, count: count) }
    }
}
