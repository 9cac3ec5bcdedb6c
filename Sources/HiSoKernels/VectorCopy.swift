/// Short copies without a library call: the row copies of im2col and padding, where most rows
/// are 14-32 floats and a `memmove` call per row costs as much as the copy.
public enum VectorCopy {
    /// `destination[0 ..< count] = source[0 ..< count]` in 8-lane unaligned vector moves (the
    /// last one overlapping the previous), scalar below 8 elements. The ranges must not overlap.
    ///
    /// Complexity: `ceil(count / 8)` vector loads and stores.
    @inlinable @inline(__always)
    public static func copy(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count n: Int) {
        guard n >= 8 else {
            for j in 0..<n { destination[j] = source[j] }
            return
        }
        let s = UnsafeRawPointer(source)
        let d = UnsafeMutableRawPointer(destination)
        var offset = 0
        let last = (n &- 8) &* 4
        while offset < last {
            d.storeBytes(
                of: s.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self), toByteOffset: offset,
                as: SIMD8<Float>.self)
            offset &+= 32
        }
        d.storeBytes(
            of: s.loadUnaligned(fromByteOffset: last, as: SIMD8<Float>.self), toByteOffset: last, as: SIMD8<Float>.self)
    }
}
