import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import Testing

@testable import hiso

/// `--resume`: a run interrupted at a random round and resumed ends with the same bytes as the
/// run that was never interrupted (curve, summary, record and final parameters), for every
/// method and every compiled backend; a checkpoint or record of another build is refused.
@Suite(.serialized) struct ResumeTests {
    /// The settings for `arguments` (config file and `--resume` layered).
    static func settings(_ arguments: [String], mode: RunSettings.Mode) throws -> RunSettings {
        try RunSettings(SharedOptions.parseLayered(arguments), mode: mode)
    }

    /// Runs `train` or `compare` in-process with times omitted (every file a pure function of the
    /// settings), interrupting after `stopAfter` rounds in total when given.
    @discardableResult
    static func run(_ arguments: [String], mode: RunSettings.Mode, stopAfter: Int? = nil) throws -> [ReportCurve] {
        let session = ExperimentSession(
            try settings(arguments, mode: mode), mode: mode, interrupt: InterruptFlag(), showProgress: false, timing: .omitted)
        session.stopAfterRound = stopAfter
        return mode == .train ? [try session.train()] : try session.compare().1
    }

    /// The bytes of `name` in `directory`.
    static func bytes(_ directory: URL, _ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    /// The final model of the run whose checkpoint is `file`, replayed from it.
    static func finalParameters(_ file: URL, settings: RunSettings) throws -> [Float] {
        let checkpoint = try Checkpoint.read(from: file.path)
        let task = try ExperimentRunner(plan: settings.plan).task(for: checkpoint.configuration)
        return try FederatedRun(resuming: checkpoint, task: task).parameters
    }

    @Test(arguments: Kernels.compiledBackends)
    func trainResumedAtARandomRoundEqualsTheUninterruptedRunForEveryMethod(backend: BackendKind) throws {
        let rounds = 24
        for method in ComparedMethod.allCases {
            let whole = try TemporaryDirectory()
            let parted = try TemporaryDirectory()
            let common = ["--rounds", "\(rounds)", "--eval-every", "5", "--methods", method.rawValue, "--backend", backend.rawValue, "--seed", "3"]
            let stop = Int.random(in: 1..<rounds)
            let context = Comment(rawValue: "\(method) on \(backend), interrupted after round \(stop)")
            let complete = try Self.run(common + ["--out", whole.url.path], mode: .train)[0]
            #expect(complete.status == .completed, context)
            let interrupted = try Self.run(common + ["--out", parted.url.path], mode: .train, stopAfter: stop)[0]
            #expect(interrupted.status == .interrupted && interrupted.roundsCompleted == stop, context)
            let resumed = try Self.run(["--resume", parted.url.path], mode: .train)[0]
            #expect(resumed == complete, context)
            for name in ["curve.csv", "summary.json", "run.json", "config.json"] {
                #expect(try Self.bytes(parted.url, name) == Self.bytes(whole.url, name), "\(name): \(context)")
            }
            let settings = try Self.settings(common, mode: .train)
            let a = try Self.finalParameters(whole.url.appendingPathComponent("checkpoint.json"), settings: settings)
            let b = try Self.finalParameters(parted.url.appendingPathComponent("checkpoint.json"), settings: settings)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), context)
        }
    }

    @Test(arguments: Kernels.compiledBackends)
    func compareResumedAtARandomRoundReusesFinishedRunsAndEqualsTheUninterruptedComparison(backend: BackendKind) throws {
        let whole = try TemporaryDirectory()
        let parted = try TemporaryDirectory()
        let common = ["--rounds", "20", "--eval-every", "6", "--methods", "decomfl,hiso,fedadam", "--seeds", "2", "--backend", backend.rawValue]
        let curves = try Self.run(common + ["--out", whole.url.path], mode: .compare)
        let stop = 20 * Int.random(in: 1..<curves.count) + Int.random(in: 1..<20)
        let context = Comment(rawValue: "\(backend), interrupted after \(stop) rounds in total")
        let partial = try Self.run(common + ["--out", parted.url.path], mode: .compare, stopAfter: stop)
        #expect(partial.count == stop / 20 + 1 && partial.last?.status == .interrupted, context)
        let finishedBefore = try Self.bytes(parted.url, "runs/\(ComparisonFiles.runFileName(partial[0]).dropLast(4)).json")
        try Self.run(["--resume", parted.url.path], mode: .compare)
        #expect(try Self.bytes(parted.url, "runs/\(ComparisonFiles.runFileName(partial[0]).dropLast(4)).json") == finishedBefore, "a finished run was redone")
        let runFiles = try FileManager.default.contentsOfDirectory(atPath: whole.url.appendingPathComponent("runs").path).sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: parted.url.appendingPathComponent("runs").path).sorted() == runFiles)
        let settings = try Self.settings(common, mode: .compare)
        let records = runFiles.filter { !$0.hasSuffix(".checkpoint.json") }.map { "runs/" + $0 }
        for name in ["summary.json", "summary.csv", "curves.csv", "table.txt", "report.md", "accuracy_vs_rounds.svg"] + records {
            #expect(try Self.bytes(parted.url, name) == Self.bytes(whole.url, name), "\(name): \(context)")
        }
        for name in runFiles where name.hasSuffix(".checkpoint.json") {
            let a = try Self.finalParameters(whole.url.appendingPathComponent("runs/" + name), settings: settings)
            let b = try Self.finalParameters(parted.url.appendingPathComponent("runs/" + name), settings: settings)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(name): \(context)")
        }
    }

    @Test func resumeRefusesACheckpointOrRecordOfAnotherBuild() throws {
        let dir = try TemporaryDirectory()
        let common = ["--rounds", "20", "--eval-every", "5", "--out", dir.url.path]
        try Self.run(common, mode: .train, stopAfter: 7)
        let file = dir.url.appendingPathComponent("checkpoint.json")
        var checkpoint = try Checkpoint.read(from: file.path)
        checkpoint.provenance?.threads = 3
        try checkpoint.write(to: file.path)
        #expect {
            try Self.run(["--resume", dir.url.path], mode: .train)
        } throws: { error in
            "\(error)".contains(file.path) && "\(error)".contains("with backend \(Kernels.defaultKind) and 3 threads")
        }
        checkpoint.provenance = nil
        try checkpoint.write(to: file.path)
        #expect(throws: FederationError.self) { try Self.run(["--resume", dir.url.path], mode: .train) }

        let compared = try TemporaryDirectory()
        try Self.run(["--rounds", "10", "--seeds", "1", "--methods", "hiso", "--out", compared.url.path], mode: .compare)
        let recordURL = compared.url.appendingPathComponent("runs/hiso_lr1e-2_seed0.json")
        var record = try ReportJSON.read(RunRecord.self, from: recordURL)
        record.provenance?.packageVersion = "0.0.1"
        try ReportJSON.write(record, to: recordURL)
        let (status, message) = CommandValidationTests.run(["compare", "--resume", compared.url.path])
        #expect(status == 2)
        #expect(message.contains("was written by hiso 0.0.1"), "\(message)")
    }

    @Test func resumeNeedsARunOfTheSameCommandAndNoOtherSetting() throws {
        let dir = try TemporaryDirectory()
        CommandValidationTests.expectUserError(["train", "--resume", dir.url.path], contains: "it has no config.json")
        try Self.run(["--rounds", "5", "--out", dir.url.path], mode: .train)
        CommandValidationTests.expectUserError(["compare", "--resume", dir.url.path], contains: "holds a train run; continue it with hiso train --resume")
        CommandValidationTests.expectUserError(["train", "--resume", dir.url.path, "--rounds", "9"], contains: "so it takes no --rounds")
        CommandValidationTests.expectUserError(["train", "--resume", dir.url.path, "--force"], contains: "so it takes no --force")
    }
}
