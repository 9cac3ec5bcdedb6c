import Foundation
import Testing

/// The committed libFuzzer corpus replays through the fuzz target's decoding without a finding
/// (the same code `-sanitize=fuzzer` builds fuzz).
@Suite("Fuzz corpus")
struct FuzzCorpusTests {
    @Test("every corpus input decodes and round-trips in hiso-net-fuzz")
    func corpusReplays() async throws {
        let directory = try #require(Bundle.module.url(forResource: "Corpus", withExtension: nil))
        let inputs = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(inputs.count >= 10)
        let process = Process()
        process.executableURL = NetProcess.executable.deletingLastPathComponent().appendingPathComponent("hiso-net-fuzz")
        process.arguments = inputs.map { directory.appendingPathComponent($0).path }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.contains("\(inputs.count) inputs decoded"))
    }
}
