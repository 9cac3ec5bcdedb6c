import Foundation
import HiSoExperiments
import HiSoFederation
import Testing

/// A grid run as 3 shards and merged from the shards' run records gives the report of the grid
/// run whole, byte for byte (`hiso-bench convergence ... --shard I/N`, then `--merge`).
@Suite("Sharded grids")
struct ShardMergeTests {
    /// A small quadratic grid: 2 methods x 2 learning rates x 2 seeds.
    static func plan() -> ExperimentPlan {
        var spec = TaskSpecification(name: .quadratic)
        spec.dimension = 40
        var c = TaskDefaults(.quadratic).configuration
        c.clients = 4
        c.sampledClients = 2
        c.rounds = 30
        c.evaluateEvery = 10
        return ExperimentPlan(
            task: spec, configuration: c, methods: [.decomfl, .hiso], learningRates: [0.01, 0.03], seeds: [0, 1],
            targets: [0.2, 0.5])
    }

    /// Runs `runs` of `plan` and writes their records into `files`.
    static func run(_ runs: [ExperimentPlan.Run], of plan: ExperimentPlan, into files: ComparisonFiles) throws -> [ReportCurve] {
        let runner = ExperimentRunner(plan: plan, timing: .omitted)
        return try runs.map { run in
            let curve = try runner.execute(run)
            try files.writeRecord(RunRecord(task: plan.task, configuration: run.configuration, curve: curve))
            return curve
        }
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-shards-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("shards are disjoint and cover the grid")
    func shardsPartitionTheGrid() throws {
        let plan = Self.plan()
        let shards = (1...3).map { ExperimentPlan.Shard(index: $0, count: 3)! }
        let indices = shards.flatMap { plan.runs(in: $0).map(\.index) }
        #expect(indices.sorted() == Array(0..<plan.runs.count))
        #expect(ExperimentPlan.Shard("2/3") == shards[1])
        #expect(ExperimentPlan.Shard("0/3") == nil && ExperimentPlan.Shard("4/3") == nil && ExperimentPlan.Shard("x") == nil)
    }

    @Test("3 shards merged give a byte-identical report to the grid run whole")
    func mergedShardsEqualTheWholeGrid() throws {
        let plan = Self.plan()
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let wholeDirectory = root.appendingPathComponent("whole", isDirectory: true)
        let whole = try ComparisonFiles(directory: wholeDirectory, title: "grid", configuration: plan)
        let curves = try Self.run(plan.runs, of: plan, into: whole)
        try whole.writeReport(curves, setting: "a quadratic grid", planned: plan.runs.count, targets: plan.targets)

        let shardedDirectory = root.appendingPathComponent("sharded", isDirectory: true)
        for i in 1...3 {
            let files = try ComparisonFiles(directory: shardedDirectory, title: "grid", configuration: plan)
            _ = try Self.run(plan.runs(in: ExperimentPlan.Shard(index: i, count: 3)), of: plan, into: files)
        }
        let merged = try ComparisonFiles(directory: shardedDirectory, title: "grid", configuration: plan)
        try merged.writeReport(try merged.mergedCurves(plan), setting: "a quadratic grid", planned: plan.runs.count, targets: plan.targets)

        for name in ["summary.json", "summary.csv", "curves.csv", "table.txt", "report.md", "accuracy_vs_rounds.svg", "accuracy_vs_bytes.svg"] {
            let a = try Data(contentsOf: wholeDirectory.appendingPathComponent(name))
            let b = try Data(contentsOf: shardedDirectory.appendingPathComponent(name))
            #expect(a == b, "\(name) differs")
        }
    }

    @Test("merging with a shard missing names the runs without a record")
    func missingShardIsAnError() throws {
        let plan = Self.plan()
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try ComparisonFiles(directory: root, title: "grid", configuration: plan)
        _ = try Self.run(plan.runs(in: ExperimentPlan.Shard(index: 1, count: 3)), of: plan, into: files)
        #expect(throws: ReportError.self) { _ = try files.mergedCurves(plan) }
    }
}
