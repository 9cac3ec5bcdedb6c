import Foundation
import HiSoExperiments
import HiSoFederation
import Testing

/// Run records: written beside each curve, read back only for the same task and configuration
/// and only for finished runs.
@Suite struct RunRecordTests {
    static func record(status: ReportCurve.Status, learningRate: Double = 0.01) -> RunRecord {
        var curve = Fixtures.curve(method: "hiso", seed: 2, accuracies: [0.1, 0.5, .nan], learningRate: learningRate)
        curve.status = status
        curve.note = status == .diverged ? "loss became inf at round 40" : nil
        var configuration = RunConfiguration()
        configuration.method = .hiso
        configuration.learningRate = Float(learningRate)
        configuration.seed = 2
        return RunRecord(task: TaskSpecification(name: .digits), configuration: configuration, curve: curve)
    }

    static func reuse(_ files: ComparisonFiles, _ record: RunRecord, task: TaskSpecification? = nil,
                      configuration: RunConfiguration? = nil) throws -> ReportCurve? {
        try files.reusableCurve(
            task: task ?? record.task, configuration: configuration ?? record.configuration, method: record.curve.method,
            learningRate: record.curve.learningRate, seed: record.curve.seed)
    }

    @Test func finishedRunsRoundTripExactly() throws {
        let dir = try TemporaryDirectory()
        let files = try ComparisonFiles(directory: dir.url, title: "t", configuration: ["k": 1])
        #expect(try Self.reuse(files, Self.record(status: .completed)) == nil)
        for status in [ReportCurve.Status.completed, .diverged] {
            let record = Self.record(status: status)
            try files.writeRecord(record)
            let back = try #require(try Self.reuse(files, record))
            #expect(back.status == status)
            #expect(back.points.count == record.curve.points.count)
            #expect(back.points[1] == record.curve.points[1])
            #expect(back.points[2].testAccuracy?.isNaN == true)
            #expect(back.note == record.curve.note)
        }
    }

    @Test func anotherConfigurationTaskOrAnUnfinishedRunIsNotReused() throws {
        let dir = try TemporaryDirectory()
        let files = try ComparisonFiles(directory: dir.url, title: "t", configuration: ["k": 1])
        let record = Self.record(status: .completed)
        try files.writeRecord(record)
        var other = record.configuration
        other.rounds += 1
        #expect(try Self.reuse(files, record, configuration: other) == nil)
        #expect(try Self.reuse(files, record, task: TaskSpecification(name: .fmnistMLP)) == nil)
        try files.writeRecord(Self.record(status: .interrupted))
        #expect(try Self.reuse(files, record) == nil)
    }

    /// `--resume` reuses a run only when the same code wrote it: another thread count
    /// or package version, or no provenance at all, runs it again.
    @Test func aRecordWrittenByOtherCodeIsNotReused() throws {
        let dir = try TemporaryDirectory()
        let files = try ComparisonFiles(directory: dir.url, title: "t", configuration: ["k": 1])
        var record = Self.record(status: .completed)
        try files.writeRecord(record)
        #expect(try Self.reuse(files, record) != nil)
        record.provenance?.threads += 1
        try files.writeRecord(record)
        #expect(try Self.reuse(files, record) == nil)
        record.provenance = Self.record(status: .completed).provenance
        record.provenance?.packageVersion += "-other"
        try files.writeRecord(record)
        #expect(try Self.reuse(files, record) == nil)
        record.provenance = nil
        try files.writeRecord(record)
        #expect(try Self.reuse(files, record) == nil)
    }

    @Test func aDamagedRecordIsATypedErrorNamingTheFile() throws {
        let dir = try TemporaryDirectory()
        let files = try ComparisonFiles(directory: dir.url, title: "t", configuration: ["k": 1])
        let record = Self.record(status: .completed)
        try files.writeRecord(record)
        let url = dir.url.appendingPathComponent("runs/hiso_lr1e-2_seed2.json")
        try AtomicFile.write("{\"task\": 3", to: url)
        do {
            _ = try Self.reuse(files, record)
            Issue.record("a damaged record was accepted")
        } catch {
            #expect("\(error)".contains(url.path))
        }
    }
}
