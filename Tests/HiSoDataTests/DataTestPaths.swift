import Foundation

/// Locations of the test data: committed fixtures, the peer's reference digits, Fashion-MNIST.
enum DataTestPaths {
    /// The committed fixture directory (copied into the test bundle).
    static var fixtures: URL {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            preconditionFailure("Fixtures resource missing from the HiSoDataTests bundle")
        }
        return url
    }

    /// A committed fixture file.
    static func fixture(_ name: String) -> URL { fixtures.appendingPathComponent(name) }

    /// The committed peer reference, `Data/digits-reference` in the package.
    static let referenceDigits: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // HiSoDataTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Data/digits-reference", isDirectory: true)

    /// Whether the reference digits are present.
    static var hasReferenceDigits: Bool {
        FileManager.default.fileExists(atPath: referenceDigits.appendingPathComponent("digits_train.csv").path)
    }

    /// A fresh temporary directory for files a test writes.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hiso-data-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
