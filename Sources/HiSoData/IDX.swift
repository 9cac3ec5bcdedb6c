import Foundation

/// Reader for the IDX format of MNIST and Fashion-MNIST, plain or gzip-compressed.
///
/// Layout: a big-endian `UInt32` magic (`0x00000803` for a 3-D `UInt8` image tensor,
/// `0x00000801` for a 1-D `UInt8` label vector), one big-endian `UInt32` per dimension, then the
/// raw bytes row-major. `.gz` files are decompressed by zlib while reading; byte offsets in
/// errors then refer to the decompressed stream.
///
/// Every malformed input (short file, wrong magic, zero or oversized dimension, extra bytes,
/// label out of range) throws a ``DataError`` naming the file and the byte offset.
public enum IDX {
    /// Magic number of an unsigned-byte, 3-dimensional file (images).
    public static let imageMagic: UInt32 = 0x0000_0803
    /// Magic number of an unsigned-byte, 1-dimensional file (labels).
    public static let labelMagic: UInt32 = 0x0000_0801

    /// A decoded IDX image file: `count` images of `rows x columns` bytes, row-major.
    public struct Images: Sendable, Equatable {
        /// Number of images.
        public let count: Int
        /// Pixel rows per image.
        public let rows: Int
        /// Pixel columns per image.
        public let columns: Int
        /// All pixels, `count * rows * columns` bytes, image after image.
        public let pixels: [UInt8]
    }

    /// Reads an image file (magic `0x00000803`).
    ///
    /// - Parameter url: a plain or `.gz` IDX file.
    /// - Throws: ``DataError`` (`unreadable`, `decompression`, `truncated`, `badMagic`,
    ///   `badDimension`, `trailingBytes`).
    /// - Complexity: O(file size); memory: the pixel bytes plus the decompression buffer.
    public static func readImages(_ url: URL) throws(DataError) -> Images {
        let bytes = try FileBytes.read(url)
        let header = try imageHeader(bytes, file: url.path)
        return Images(count: header.count, rows: header.rows, columns: header.columns, pixels: Array(bytes[16...]))
    }

    /// Reads a label file (magic `0x00000801`) and checks every label is below `classCount`.
    ///
    /// - Parameters:
    ///   - url: a plain or `.gz` IDX file.
    ///   - classCount: labels must lie in `0..<classCount`.
    /// - Throws: ``DataError`` as ``readImages(_:)``, plus `labelOutOfRange` with the byte offset.
    /// - Complexity: O(file size).
    public static func readLabels(_ url: URL, classCount: Int) throws(DataError) -> [UInt8] {
        let bytes = try FileBytes.read(url)
        let file = url.path
        try checkMagic(bytes, expected: labelMagic, file: file)
        let count = try dimension(bytes, index: 0, name: "label count", allowZero: true, file: file)
        try checkPayload(bytes, headerLength: 8, length: count, file: file)
        let labels = Array(bytes[8...])
        if let bad = labels.firstIndex(where: { Int($0) >= classCount }) {
            throw .labelOutOfRange(
                file: file, location: "byte offset \(8 + bad)", label: Int(labels[bad]), classCount: classCount)
        }
        return labels
    }

    /// Reads a matching image and label file pair into a ``Dataset`` of shape `[1, rows, columns]`.
    ///
    /// Pixels are converted through `normalization` with a 256-entry lookup table.
    ///
    /// - Parameters:
    ///   - images: the image file.
    ///   - labels: the label file.
    ///   - classCount: number of classes (labels must be below it).
    ///   - normalization: how bytes map to floats.
    ///   - name: the data set's name.
    /// - Throws: any reader error, or ``DataError/countMismatch(imagesFile:images:labelsFile:labels:)``.
    /// - Complexity: O(pixels); memory: the bytes (transient) plus `4 * pixels` bytes of floats.
    public static func loadDataset(
        images: URL, labels: URL, classCount: Int, normalization: PixelNormalization, name: String? = nil
    ) throws(DataError) -> Dataset {
        let bytes = try FileBytes.read(images)
        let header = try imageHeader(bytes, file: images.path)
        let labelBytes = try readLabels(labels, classCount: classCount)
        guard header.count == labelBytes.count else {
            throw .countMismatch(imagesFile: images.path, images: header.count, labelsFile: labels.path, labels: labelBytes.count)
        }
        let features = decode(bytes[16...], normalization: normalization)
        return Dataset(
            trusted: features, labels: labelBytes.map { Int32($0) }, classCount: classCount,
            featureShape: [1, header.rows, header.columns], name: name, source: images.path)
    }

    /// Validates an image file's header and size: magic, three non-overflowing dimensions (rows
    /// and columns at least 1), and exactly `count * rows * columns` bytes after the 16-byte header.
    static func imageHeader(_ bytes: [UInt8], file: String) throws(DataError) -> (count: Int, rows: Int, columns: Int) {
        try checkMagic(bytes, expected: imageMagic, file: file)
        let count = try dimension(bytes, index: 0, name: "image count", allowZero: true, file: file)
        let rows = try dimension(bytes, index: 1, name: "rows", allowZero: false, file: file)
        let columns = try dimension(bytes, index: 2, name: "columns", allowZero: false, file: file)
        let (perImage, o1) = rows.multipliedReportingOverflow(by: columns)
        let (total, o2) = perImage.multipliedReportingOverflow(by: count)
        guard !o1, !o2 else {
            throw .badDimension(file: file, offset: 4, name: "count x rows x columns", expected: "a size that fits in memory", found: count)
        }
        try checkPayload(bytes, headerLength: 16, length: total, file: file)
        return (count, rows, columns)
    }

    /// Converts bytes to floats through `normalization`'s lookup table.
    ///
    /// - Complexity: O(bytes.count), one allocation for the result.
    static func decode(_ bytes: ArraySlice<UInt8>, normalization: PixelNormalization) -> [Float] {
        let table = normalization.table
        return [Float](unsafeUninitializedCapacity: bytes.count) { out, initialized in
            table.withUnsafeBufferPointer { lookup in
                bytes.withUnsafeBufferPointer { source in
                    guard let src = source.baseAddress, let dst = out.baseAddress, let map = lookup.baseAddress
                    else { return }
                    for i in 0..<source.count { dst[i] = map[Int(src[i])] }
                }
            }
            initialized = bytes.count
        }
    }

    private static func checkMagic(_ bytes: [UInt8], expected: UInt32, file: String) throws(DataError) {
        guard bytes.count >= 4 else { throw .truncated(file: file, offset: 0, needed: 4, available: bytes.count) }
        let found = bigEndianWord(bytes, at: 0)
        guard found == expected else { throw .badMagic(file: file, expected: expected, found: found) }
    }

    private static func dimension(
        _ bytes: [UInt8], index: Int, name: String, allowZero: Bool, file: String
    ) throws(DataError) -> Int {
        let offset = 4 + 4 * index
        guard bytes.count >= offset + 4 else {
            throw .truncated(file: file, offset: offset, needed: 4, available: max(0, bytes.count - offset))
        }
        let value = Int(bigEndianWord(bytes, at: offset))
        guard allowZero || value > 0 else {
            throw .badDimension(file: file, offset: offset, name: name, expected: "at least 1", found: value)
        }
        return value
    }

    private static func checkPayload(_ bytes: [UInt8], headerLength: Int, length: Int, file: String) throws(DataError) {
        let available = bytes.count - headerLength
        guard available >= length else {
            throw .truncated(file: file, offset: headerLength, needed: length, available: available)
        }
        guard available == length else {
            throw .trailingBytes(file: file, offset: headerLength + length, extra: available - length)
        }
    }

    private static func bigEndianWord(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }
}
