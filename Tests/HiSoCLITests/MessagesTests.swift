import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import Logging
import Testing

@testable import hiso

/// What a person reads: negative values get the real validation message, `--version` and the
/// written files say which code ran, log lines carry the label once.
@Suite struct MessagesTests {
    @Test func negativeValuesGetTheValidationMessage() {
        CommandValidationTests.expectUserError(["compare", "--lr", "-1"], contains: "The value '-1' is invalid for '--lr <list>': expected a comma list of positive numbers")
        CommandValidationTests.expectUserError(["compare", "--alpha", "-1"], contains: "The value '-1' is invalid for '--alpha <alpha>': expected a positive number")
        CommandValidationTests.expectUserError(["train", "--mu", "-0.5"], contains: "The value '-0.5' is invalid for '--mu <mu>'")
        CommandValidationTests.expectUserError(["train", "--seed", "-1"], contains: "The value '-1' is invalid for '--seed <s>'")
        CommandValidationTests.expectUserError(["train", "--rounds", "-3"], contains: "The value '-3' is invalid for '--rounds <R>'")
    }

    @Test func versionPrintsPackageVersionBackendThreadsPlatformAndCommit() {
        var out = ""
        let text = HiSoCommand.versionText
        #expect(text.hasPrefix("hiso \(RunProvenance.currentPackageVersion)\n"))
        #expect(text.contains("backend \(Kernels.defaultKind)"))
        #expect(text.contains("threads 1"))
        #expect(text.contains("platform \(RunProvenance.currentPlatform)"))
        #expect(text.contains("commit \(RunProvenance.currentGitCommit ?? "unknown")"))
        #expect(HiSoCommand.execute(["--version"]) { out += $0 } == 0)
        #expect(out.isEmpty)
    }

    @Test func configAndSummaryRecordTheProvenanceAndTheConfigReadsBack() throws {
        let dir = try TemporaryDirectory()
        #expect(CommandValidationTests.run(["train", "--rounds", "4", "--eval-every", "2", "--threads", "2", "--out", dir.url.path]).0 == 0)
        for name in ["config.json", "summary.json"] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent(name))) as? [String: Any])
            let provenance = try #require(object["provenance"] as? [String: Any], "\(name)")
            #expect(provenance["package_version"] as? String == RunProvenance.currentPackageVersion)
            #expect(provenance["backend"] as? String == Kernels.defaultKind.rawValue)
            #expect(provenance["threads"] as? Int == 2)
            #expect(provenance["platform"] as? String == RunProvenance.currentPlatform)
            #expect(provenance["git_commit"] as? String == RunProvenance.currentGitCommit)
        }
        let reloaded = try RunSettings(SharedOptions.parseLayered(["--config", dir.url.appendingPathComponent("config.json").path]), mode: .train)
        #expect(reloaded.plan.configuration.rounds == 4 && reloaded.plan.configuration.threads == 2)
        let record = try ReportJSON.read(RunRecord.self, from: dir.url.appendingPathComponent("run.json"))
        #expect(record.provenance == .current(backend: nil, threads: 2))
        #expect(record.provenanceMismatch == nil)
    }

    @Test func provenanceMismatchComparesVersionBackendAndThreadsButNotTheCommit() {
        let current = RunProvenance.current(backend: .swift, threads: 1)
        var other = current
        other.gitCommit = "0000000000000000000000000000000000000000"
        other.platform = "elsewhere"
        #expect(other.mismatch(resuming: current) == nil)
        other.backend = .openblas
        #expect(other.mismatch(resuming: current)?.contains("with backend openblas and 1 thread;") == true)
        other = current
        other.threads = 4
        #expect(other.mismatch(resuming: current)?.contains("4 threads") == true)
        other = current
        other.packageVersion = "9.9.9"
        #expect(other.mismatch(resuming: current)?.hasPrefix("written by hiso 9.9.9") == true)
    }

    @Test func logLinesCarryTheLabelOnce() {
        let handler = LineLogHandler(label: "hiso")
        let time = Date(timeIntervalSince1970: 0)
        #expect(handler.line(.info, "train: hiso lr 0.01", nil, time: time) == "1970-01-01T00:00:00Z hiso: train: hiso lr 0.01")
        #expect(handler.line(.warning, "slow", ["run": "3"], time: time) == "1970-01-01T00:00:00Z hiso: warning: slow run=3")
    }
}
