import Foundation
import HiSoFederation
import SwiftProtobuf

extension Hiso_Federation_V1_ModelCheckpoint {
    /// Writes the snapshot (protobuf bytes) atomically to `path`.
    ///
    /// - Throws: ``NetworkError/storage(file:reason:)``.
    public func write(to path: String) throws(NetworkError) {
        do {
            let bytes: [UInt8] = try serializedBytes()
            try AtomicFile.write(Data(bytes), to: URL(fileURLWithPath: path))
        } catch {
            throw .storage(file: path, reason: "cannot write the model snapshot: \(error)")
        }
    }

    /// Reads a snapshot written by ``write(to:)``.
    ///
    /// - Throws: ``NetworkError/storage(file:reason:)``.
    public static func read(from path: String) throws(NetworkError) -> Self {
        do {
            return try Self(serializedBytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        } catch {
            throw .storage(file: path, reason: "cannot read a model snapshot: \(error)")
        }
    }
}
