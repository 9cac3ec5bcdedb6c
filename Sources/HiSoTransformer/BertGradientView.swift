/// Where the backward pass writes the gradient of each trainable tensor: the mirror of
/// ``BertParameterView`` over a gradient vector laid out like the trainable vector.
///
/// Layout element `i` has its gradient at `tail[i - split]` when `i >= split` and none (frozen)
/// otherwise; LoRA adapters (per layer `A_q`, `B_q`, `A_v`, `B_v`) have theirs at `lora`.
struct BertGradientView {
    /// The gradient of the trainable suffix, starting at layout element `split`, or `nil`.
    let tail: UnsafeMutablePointer<Float>?
    /// The first trainable layout element (`Int.max` without a tail).
    let split: Int
    /// The gradient of the LoRA adapters, `layers * 4 r h` floats, or `nil`.
    let lora: UnsafeMutablePointer<Float>?

    init(tail: UnsafeMutablePointer<Float>?, split: Int, lora: UnsafeMutablePointer<Float>?) {
        self.tail = tail
        self.split = tail == nil ? Int.max : split
        self.lora = lora
    }

    /// The gradient address of layout element `offset`, or `nil` when it is frozen.
    @inline(__always)
    func pointer(_ offset: Int) -> UnsafeMutablePointer<Float>? {
        if offset >= split, let tail { return tail + (offset - split) }
        return nil
    }
}
