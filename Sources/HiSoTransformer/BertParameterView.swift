/// Read-only pointers to the parameters of one forward pass: the frozen base vector, the trainable
/// tail that overrides its suffix, and optional LoRA adapters.
///
/// Element `i` of the layout is `base[i]` for `i < split` and `tail[i - split]` otherwise, so a
/// trainable suffix is read in place and frozen weights are never copied.
/// LoRA adapters (per layer: `A_q` (r x h), `B_q` (h x r), `A_v` (r x h), `B_v` (h x r)) add
/// `scale * (x A^T) B^T` to the query and value projections, `scale = alpha / r`.
public struct BertParameterView {
    /// The full base vector (frozen weights; its suffix is ignored when `tail` is set).
    public let base: UnsafePointer<Float>
    /// The trainable suffix, starting at layout element `split`.
    public let tail: UnsafePointer<Float>?
    /// The first layout element read from `tail`.
    public let split: Int
    /// The LoRA adapters, `layers * 4 r h` floats, or `nil`.
    public let lora: UnsafePointer<Float>?
    /// The LoRA rank `r`.
    public let loraRank: Int
    /// The LoRA scale `alpha / r`.
    public let loraScale: Float

    /// A view with every tensor read from `base` and no adapters.
    public init(base: UnsafePointer<Float>) {
        self.init(base: base, tail: nil, split: Int.max, lora: nil, loraRank: 0, loraScale: 0)
    }

    /// A general view.
    public init(
        base: UnsafePointer<Float>, tail: UnsafePointer<Float>?, split: Int, lora: UnsafePointer<Float>?,
        loraRank: Int, loraScale: Float
    ) {
        self.base = base
        self.tail = tail
        self.split = tail == nil ? Int.max : split
        self.lora = lora
        self.loraRank = loraRank
        self.loraScale = loraScale
    }

    /// The address of layout element `offset`.
    @inline(__always)
    func pointer(_ offset: Int) -> UnsafePointer<Float> {
        if offset >= split, let tail { return tail + (offset - split) }
        return base + offset
    }
}
