import Foundation

extension Checkpoint {
    /// Writes the checkpoint as JSON atomically (``AtomicFile``: a temporary file in the same
    /// directory, renamed over `path`).
    ///
    /// - Throws: ``FederationError/checkpoint(file:reason:)`` when encoding or writing fails.
    public func write(to path: String) throws(FederationError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            let data = try encoder.encode(self)
            try AtomicFile.write(data, to: URL(fileURLWithPath: path))
        } catch {
            throw .checkpoint(file: path, reason: "\(error)")
        }
    }

    /// Reads a checkpoint written by ``write(to:)``.
    ///
    /// - Throws: ``FederationError/checkpoint(file:reason:)`` for an unreadable or malformed file
    ///   or an unknown format version.
    public static func read(from path: String) throws(FederationError) -> Checkpoint {
        let data: Data
        do throws(ReportError) {
            data = try AtomicFile.read(URL(fileURLWithPath: path))
        } catch {
            guard case .cannotRead(_, let reason) = error else { throw .checkpoint(file: path, reason: error.description) }
            throw .checkpoint(file: path, reason: "cannot read: \(reason)")
        }
        let checkpoint: Checkpoint
        do {
            checkpoint = try JSONDecoder().decode(Checkpoint.self, from: data)
        } catch {
            throw .checkpoint(file: path, reason: "malformed JSON: \(error)")
        }
        guard checkpoint.format == 1 else {
            throw .checkpoint(file: path, reason: "format \(checkpoint.format), expected 1")
        }
        return checkpoint
    }
}
