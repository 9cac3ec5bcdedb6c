import Foundation
import FuzzSupport
import HiSoExperiments
import HiSoFederation

/// The run a fuzzed record must match to be reused: HiSo on the digits task, lr 0.01, seed 0
/// (`nonisolated(unsafe)`: libFuzzer runs every input on the one main thread).
nonisolated(unsafe) private let expected: (task: TaskSpecification, configuration: RunConfiguration, files: ComparisonFiles) = {
    let defaults = TaskDefaults(.digits)
    var configuration = defaults.configuration
    configuration.method = .hiso
    configuration.learningRate = 0.01
    configuration.seed = 0
    do {
        let files = try ComparisonFiles(directory: FuzzInput.directory, title: "fuzz", configuration: configuration)
        return (defaults.specification, configuration, files)
    } catch {
        fatalError("fuzz harness: \(error)")
    }
}()

/// The record file `ComparisonFiles` looks for: `runs/hiso_lr<0.01>_seed0.json`.
private let recordName: String = {
    let csv = ComparisonFiles.runFileName(ReportCurve(method: "hiso", learningRate: 0.01, seed: 0))
    return "runs/" + csv.dropLast(4) + ".json"
}()

/// One fuzzer input: a saved run record, looked up as `hiso compare` does to reuse a finished
/// run (a reused curve then goes through the comparison summary), and the same bytes as a
/// curve CSV.
func fuzzRunRecord(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let setting = expected
    _ = FuzzInput.file(data, size, name: recordName)
    if let curve = try? setting.files.reusableCurve(
        task: setting.task, configuration: setting.configuration, method: "hiso", learningRate: 0.01, seed: 0) {
        _ = try? ComparisonSummary(curves: [curve], targets: [0.5, 0.9])
    }
    _ = try? ReportCurve.points(fromCSV: String(decoding: FuzzInput.bytes(data, size), as: UTF8.self), path: "curve.csv")
    return 0
}

/// A record that matches ``expected`` (completed, four evaluated rounds), one that diverged, and
/// the curve CSV of the first.
func runRecordSeeds() throws -> [(String, Data)] {
    let setting = expected
    var points: [ReportCurve.Point] = []
    for k in 0..<4 {
        let step = Double(k)
        points.append(ReportCurve.Point(
            round: 25 * k, testAccuracy: 0.1 + 0.2 * step, testLoss: 2.3 - 0.4 * step, trainLoss: 2.2 - 0.4 * step,
            bytesUp: 200 * k, bytesDown: 1_600 * k, wallSeconds: 0.5 * step))
    }
    let completed = ReportCurve(
        method: "hiso", learningRate: 0.01, seed: 0, points: points, roundsCompleted: 75, trainingSeconds: 1.5,
        status: ReportCurve.Status.completed)
    var diverged = completed
    diverged.status = ReportCurve.Status.diverged
    diverged.note = "round 60: the mean client loss is nan"
    func written(_ record: RunRecord) throws -> Data {
        let url = FuzzInput.directory.appendingPathComponent("seed.json")
        try ReportJSON.write(record, to: url)
        return try Data(contentsOf: url)
    }
    let csv = FuzzInput.directory.appendingPathComponent("seed.csv")
    try completed.csvTable.write(to: csv)
    return [
        ("completed.json", try written(RunRecord(task: setting.task, configuration: setting.configuration, curve: completed))),
        ("diverged.json", try written(RunRecord(task: setting.task, configuration: setting.configuration, curve: diverged))),
        ("curve.csv", try Data(contentsOf: csv)),
    ]
}

/// Runs libFuzzer on ``fuzzRunRecord(_:_:)``.
@main
enum FuzzRunRecord {
    static func main() {
        FuzzDriver.run(fuzzRunRecord, seeds: runRecordSeeds)
    }
}
