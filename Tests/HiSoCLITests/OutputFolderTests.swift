import Foundation
import HiSoFederation
import Testing

@testable import hiso

#if canImport(Glibc)
import Glibc
#endif

/// Output folders: an earlier run is never damaged or mixed with a new one, and file-system
/// failures name the path and the cause.
@Suite(.serialized) struct OutputFolderTests {
    /// Every regular file under `directory` (relative path -> bytes).
    static func snapshot(_ directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = try #require(FileManager.default.enumerator(atPath: directory.path))
        while let name = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = directory.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[name] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    @Test func aRunThatFailsOnBadDataLeavesTheEarlierRunByteIdentical() throws {
        let dir = try TemporaryDirectory()
        let out = dir.url.appendingPathComponent("out")
        #expect(CommandValidationTests.run(["train", "--rounds", "10", "--eval-every", "5", "--out", out.path]).0 == 0)
        let before = try Self.snapshot(out)
        #expect(before.keys.contains("summary.json") && before.keys.contains("curve.csv"))
        let corrupt = dir.url.appendingPathComponent("fmnist")
        try FileManager.default.createDirectory(at: corrupt, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            try Data("not an IDX file".utf8).write(to: corrupt.appendingPathComponent(name))
        }
        let bad = ["train", "--task", "fmnist-mlp", "--data-dir", corrupt.path, "--rounds", "10", "--out", out.path]
        let (refused, refusal) = CommandValidationTests.run(bad)
        #expect(refused == 2)
        #expect(refusal.contains("holds an earlier run") && refusal.contains("--resume") && refusal.contains("--force"), "\(refusal)")
        let (failed, failure) = CommandValidationTests.run(bad + ["--force"])
        #expect(failed == 2)
        #expect(failure.contains(corrupt.path), "\(failure)")
        #expect(try Self.snapshot(out) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).allSatisfy { !$0.hasPrefix("replaced-") })
    }

    @Test func forceMovesTheEarlierComparisonAsideSoNoStaleRunStaysBesideTheNewOnes() throws {
        let dir = try TemporaryDirectory()
        let first = ["compare", "--rounds", "6", "--eval-every", "3", "--seeds", "1", "--methods", "decomfl,fedavg", "--out", dir.url.path]
        #expect(CommandValidationTests.run(first).0 == 0)
        let earlier = try Self.snapshot(dir.url)
        let second = ["compare", "--rounds", "6", "--eval-every", "3", "--seeds", "1", "--methods", "hiso", "--out", dir.url.path, "--force"]
        #expect(CommandValidationTests.run(second).0 == 0)
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("runs").path)
        #expect(!runs.isEmpty && runs.allSatisfy { $0.hasPrefix("hiso_") }, "\(runs)")
        let moved = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.hasPrefix("replaced-") }
        #expect(moved.count == 1)
        let aside = try Self.snapshot(dir.url.appendingPathComponent(moved[0]))
        #expect(aside == earlier)
    }

    @Test func fileSystemFailuresNameThePathAndTheCause() throws {
        let dir = try TemporaryDirectory()
        let file = dir.url.appendingPathComponent("plain")
        try Data("x".utf8).write(to: file)
        CommandValidationTests.expectUserError(
            ["train", "--rounds", "3", "--out", file.appendingPathComponent("out").path], contains: "'\(file.path)' is not a directory")
        if FileManager.default.fileExists(atPath: "/proc/self") {
            CommandValidationTests.expectUserError(["train", "--rounds", "3", "--out", "/proc/x"], contains: "'/proc' does not accept new entries")
        }
        let target = URL(fileURLWithPath: "/data/out/summary.json")
        #expect(AtomicFile.diagnosis(EACCES, creating: target) == "permission denied in '/data/out'")
        #expect(AtomicFile.diagnosis(EROFS, creating: target) == "'/data/out' is on a read-only file system")
        #expect(AtomicFile.diagnosis(ENOSPC, creating: target) == "no space left on the device of '/data/out'")
        let absent = dir.url.appendingPathComponent("absent.json")
        #expect(throws: ReportError.cannotRead(path: absent.path, reason: "no such file")) { try AtomicFile.read(absent) }
        #expect(throws: ReportError.cannotRead(path: dir.url.path, reason: "is a directory")) { try AtomicFile.read(dir.url) }
        #expect(throws: FederationError.checkpoint(file: absent.path, reason: "cannot read: no such file")) {
            try Checkpoint.read(from: absent.path)
        }
        do {
            try AtomicFile.write("x", to: file.appendingPathComponent("y.json"))
            Issue.record("a file under a regular file was written")
        } catch {
            #expect(error.description == "cannot write '\(file.path)/y.json': '\(file.path)' is not a directory")
        }
    }
}
