import Foundation
internal import CHiSoZlib

/// Reads a whole file into memory, gunzipping it through zlib when it is gzip-compressed.
///
/// zlib's `gzread` detects the gzip header itself and passes plain files through unchanged, so
/// `train-images-idx3-ubyte` and `train-images-idx3-ubyte.gz` read identically.
enum FileBytes {
    /// Chunk size of each `gzread` call (also the initial buffer size for small files).
    private static let chunk = 1 << 20
    /// Deflate cannot expand data by more than about 1032:1.
    private static let maximumDeflateRatio = 1032

    /// The decompressed contents of the file at `url`.
    ///
    /// - Throws: ``DataError/unreadable(file:reason:)`` when the file cannot be opened,
    ///   ``DataError/decompression(file:reason:)`` for a corrupt or truncated gzip stream.
    /// - Complexity: O(size); memory: a buffer of the expected size (the gzip trailer's ISIZE
    ///   field, or the file size for a plain file; doubled if the hint proves short), then one
    ///   copy into the returned array.
    static func read(_ url: URL) throws(DataError) -> [UInt8] {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(file: path, reason: "is a directory") }
        let hint = sizeHint(path)
        guard let file = gzopen(path, "rb") else {
            throw .unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        defer { gzclose(file) }
        gzbuffer(file, UInt32(chunk))

        var capacity = max(hint + 1, 4096)
        var length = 0
        var storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { storage.deallocate() }
        while true {
            if length == capacity {
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
                bigger.copyMemory(from: storage, byteCount: length)
                storage.deallocate()
                storage = bigger
                capacity *= 2
            }
            let got = gzread(file, storage + length, UInt32(min(chunk, capacity - length)))
            if got <= 0 { break }
            length += Int(got)
        }
        var status: Int32 = 0
        if let message = gzerror(file, &status), status != Z_OK && status != Z_STREAM_END {
            throw .decompression(
                file: path, reason: "\(String(cString: message)) after \(length) decompressed bytes")
        }
        return [UInt8](UnsafeRawBufferPointer(start: storage, count: length))
    }

    /// The expected decompressed size: the little-endian ISIZE in the last 4 bytes of a gzip
    /// file (exact for single-member files under 4 GiB), or the size of a plain file; 0 if unknown.
    /// A corrupt trailer cannot force a huge allocation: the hint is capped at deflate's maximum
    /// expansion of the compressed size.
    private static func sizeHint(_ path: String) -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 18,
              (try? handle.seek(toOffset: 0)) != nil,
              let magic = try? handle.read(upToCount: 2)
        else { return 0 }
        guard magic.elementsEqual([0x1F, 0x8B]) else { return Int(size) }
        guard (try? handle.seek(toOffset: size - 4)) != nil, let tail = try? handle.read(upToCount: 4), tail.count == 4
        else { return 0 }
        let declared = tail.reversed().reduce(0) { $0 << 8 | Int($1) }
        return min(declared, Int(size) * maximumDeflateRatio)
    }
}
