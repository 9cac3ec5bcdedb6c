import Foundation

/// Splits UTF-8 text files into lines at LF bytes, dropping one trailing CR per line (so LF and
/// CRLF files read the same; Swift's `Character` would treat CRLF as one grapheme).
enum TextLines {
    /// The lines of `url`, without the empty line after a final newline.
    ///
    /// - Throws: ``TransformerError/missingFile(file:hint:)`` (with `hint`) and
    ///   ``TransformerError/unreadable(file:reason:)``, also for invalid UTF-8 (naming the line).
    /// - Complexity: O(file size); memory: the file plus its lines.
    static func read(_ url: URL, hint: String) throws(TransformerError) -> [String] {
        let file = url.path
        guard FileManager.default.fileExists(atPath: file) else { throw .missingFile(file: file, hint: hint) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: file, reason: error.localizedDescription)
        }
        var lines: [String] = []
        var failure: Int?
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                var stop = end
                if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
                guard let line = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self) else {
                    failure = lines.count + 1
                    return
                }
                lines.append(line)
                start = end + 1
            }
        }
        if let failure { throw .unreadable(file: file, reason: "line \(failure) is not valid UTF-8") }
        return lines
    }
}
