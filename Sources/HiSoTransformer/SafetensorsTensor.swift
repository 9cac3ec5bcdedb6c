/// One tensor's entry in a safetensors header: its dtype, shape and byte range.
public struct SafetensorsTensor: Sendable, Equatable {
    /// The tensor's name in the header.
    public let name: String
    /// The element type.
    public let dtype: SafetensorsDType
    /// The shape (row-major); empty for a scalar.
    public let shape: [Int]
    /// The byte range `[begin, end)` relative to the start of the data section.
    public let dataOffsets: Range<Int>

    /// The number of elements, the product of ``shape``.
    public var elementCount: Int { shape.reduce(1, *) }
}
