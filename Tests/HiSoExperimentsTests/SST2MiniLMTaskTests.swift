import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoTransformer
import Testing

/// Locations of the real model and SST-2 for the `sst2-minilm` task tests.
enum SST2Fixtures {
    /// The package root, from this file's path (Tests/HiSoExperimentsTests/...).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// `HISO_MINILM_DIR` or `.models/minilm`.
    static let modelDirectory = PretrainedBert.defaultDirectory(packageRoot: packageRoot)
    /// The committed GLUE SST-2 copy, `Data/sst2` in the package.
    static let dataDirectory = packageRoot.appendingPathComponent("Data/sst2")
    /// Whether the model and the data are both present, in a build with OpenBLAS (the
    /// pure-Swift encoder in a debug build needs minutes for the slice; the transformer tests
    /// cover that backend's forward pass).
    static let isPresent: Bool = {
        #if OpenBLAS
        let manager = FileManager.default
        return manager.fileExists(atPath: modelDirectory.path)
            && manager.fileExists(atPath: dataDirectory.appendingPathComponent("train.tsv").path)
        #else
        return false
        #endif
    }()
    /// The model and data, loaded once when present. A model or data set that is present but
    /// fails to load is the error, which fails every test that calls `get()` on it.
    static let loaded: Result<(model: PretrainedBert, train: SST2Dataset, dev: SST2Dataset), any Error>? = {
        guard isPresent else { return nil }
        return Result {
            let model = try SST2MiniLMTask.loadModel(directory: modelDirectory)
            let data = try SST2MiniLMTask.loadData(directory: dataDirectory)
            return (model, data.train.prefix(60), data.dev.prefix(40))
        }
    }()
    /// Why the tests are skipped.
    static let missing: Comment =
        "all-MiniLM-L6-v2 (Utils/fetch-minilm, or HISO_MINILM_DIR) or Data/sst2 not found, or a build without OpenBLAS"
}

@Suite("sst2-minilm task")
struct SST2MiniLMTaskTests {
    @Test("a missing model or data directory is a typed error that says how to get it")
    func missingFiles() {
        let nowhere = URL(fileURLWithPath: "/nonexistent/hiso-minilm")
        #expect {
            _ = try SST2MiniLMTask.loadModel(directory: nowhere)
        } throws: { error in
            guard case .modelNotFound(let directory, _)? = error as? SST2MiniLMTask.SetupError else { return false }
            return directory == nowhere.path && "\(error)".contains("Utils/fetch-minilm")
        }
        #expect {
            _ = try SST2MiniLMTask.loadData(directory: nowhere)
        } throws: { error in
            guard case .dataNotFound(_, let missing)? = error as? SST2MiniLMTask.SetupError else { return false }
            return missing == "train.tsv" && "\(error)".contains("train.tsv and dev.tsv")
        }
    }

    @Test(
        "DeComFL and HiSo run through FederatedRun on a tiny slice; 4 tau P uplink bytes per client-round",
        .enabled(if: SST2Fixtures.isPresent, SST2Fixtures.missing))
    func federatedRounds() throws {
        let loaded = try #require(SST2Fixtures.loaded).get()
        let settings = SST2MiniLMTask.Settings(
            subset: "head", clients: 6, batchSize: 4, maxLength: 16, evaluationTrainSample: 16)
        let task = try SST2MiniLMTask(model: loaded.model, train: loaded.train, dev: loaded.dev, settings: settings, seed: 3)
        #expect(task.parameterCount == 2 * (loaded.model.encoder.configuration.hiddenSize + 1))
        #expect(task.clientCount == 6 && task.supportsGradient)
        for method in [FederatedMethod.decomfl, .hiso] {
            var c = RunConfiguration()
            c.method = method
            c.clients = 6
            c.sampledClients = 2
            c.localSteps = 1
            c.perturbations = 5
            c.scheme = .forward
            c.learningRate = 1e-2
            c.rounds = 4
            c.evaluateEvery = 2
            c.seed = 5
            let run = try FederatedRun(configuration: c, task: task)
            try run.run()
            #expect(run.completedRounds == 4)
            #expect(run.curve.map(\.round) == [0, 2, 4])
            #expect(run.curve.allSatisfy { ($0.testAccuracy ?? -1) >= 0 && ($0.testAccuracy ?? 2) <= 1 && $0.testLoss.isFinite })
            #expect(run.ledger.entries.count == 4 * 2)
            #expect(run.ledger.entries.allSatisfy { $0.up == TrafficBytes(scalars: 4 * 1 * 5) })
            #expect(run.ledger.totalUp.total == 4 * 2 * 20)
            var synced = [UInt64](repeating: 0, count: 6)
            for entry in run.ledger.entries {
                #expect(entry.down == TrafficBytes(header: 8, scalars: 20 * (entry.round - synced[entry.client])))
                synced[entry.client] = entry.round
            }
            #expect(run.curve.last?.bytesUp == 160)
            let again = try FederatedRun(configuration: c, task: task)
            try again.run()
            #expect(again.parameters == run.parameters)
        }
    }

    @Test(
        "FedAvg and FedAdam fine-tune last-1 through FederatedRun: d-float uploads, deterministic, the loss falls",
        .enabled(if: SST2Fixtures.isPresent, SST2Fixtures.missing))
    func firstOrderRounds() throws {
        let loaded = try #require(SST2Fixtures.loaded).get()
        let settings = SST2MiniLMTask.Settings(
            subset: "last-1", clients: 6, batchSize: 4, maxLength: 16, trainLimit: 60, devLimit: 24, evaluationTrainSample: 16)
        let task = try SST2MiniLMTask(model: loaded.model, train: loaded.train, dev: loaded.dev, settings: settings, seed: 3)
        #expect(task.supportsGradient)
        for method in [FederatedMethod.fedavg, .fedadam] {
            var c = RunConfiguration()
            c.method = method
            c.clients = 6
            c.sampledClients = 2
            c.localSteps = 1
            c.learningRate = 0.1
            c.serverLearningRate = 1e-3
            c.rounds = 6
            c.evaluateEvery = 6
            c.seed = 5
            let run = try FederatedRun(configuration: c, task: task)
            try run.run()
            #expect(run.completedRounds == 6)
            #expect(run.ledger.entries.allSatisfy { $0.up.total >= UInt64(4 * task.parameterCount) })
            let first = try #require(run.curve.first), last = try #require(run.curve.last)
            #expect(last.trainLoss < first.trainLoss, "\(method): train loss \(first.trainLoss) -> \(last.trainLoss)")
            let again = try FederatedRun(configuration: c, task: task)
            try again.run()
            #expect(again.parameters == run.parameters)
        }
    }

    @Test("the scenario runs a tiny grid and reports a Codable result and a table", .enabled(if: SST2Fixtures.isPresent, SST2Fixtures.missing))
    func tinyScenario() throws {
        var settings = SST2Scenario.Settings(
            modelDirectory: SST2Fixtures.modelDirectory.path, dataDirectory: SST2Fixtures.dataDirectory.path)
        settings.task = SST2MiniLMTask.Settings(
            subset: "head", clients: 6, batchSize: 4, maxLength: 16, trainLimit: 60, devLimit: 40, evaluationTrainSample: 16)
        settings.grids = [.init(method: .decomfl, learningRates: [1e-2]), .init(method: .hiso, learningRates: [1e-2, 3e-2])]
        settings.seeds = [0, 1]
        settings.rounds = 4
        settings.evaluateEvery = 2
        settings.targets = [0, 1.01]
        var lines: [String] = []
        let result = try SST2Scenario.run(settings) { lines.append($0) }
        #expect(result.runs.count == 2 * 3 && lines.count == 1 + 6 && !result.truncated)
        #expect(result.runs.allSatisfy { $0.rounds == 4 && $0.bytesUp == 4 * 2 * 20 && $0.failure == nil })
        #expect(result.runs.allSatisfy { $0.crossings[0].round == 0 && $0.crossings[0].bytes == 0 && $0.crossings[1].round == nil })
        #expect(result.summaries.map(\.seeds) == [2, 2, 2] && result.best.map(\.method) == [.decomfl, .hiso])
        #expect(result.summaries.allSatisfy { $0.targets[0].rounds?.median == 0 && $0.targets[1].rounds == nil })
        let table = result.table()
        #expect(table.contains("| decomfl | 0.01* | 2 |") && table.contains("| hiso | 0.03"))
        let decoded = try JSONDecoder().decode(SST2Scenario.Result.self, from: JSONEncoder().encode(result))
        #expect(decoded == result)
    }

    @Test("the scenario's run configuration is the paper's LLM setting")
    func scenarioSetting() throws {
        let settings = SST2Scenario.Settings(modelDirectory: "m", dataDirectory: "d")
        let c = settings.runConfiguration(method: .hiso, learningRate: 3e-3, seed: 2)
        #expect(c.clients == 6 && c.sampledClients == 2 && c.localSteps == 1 && c.perturbations == 5)
        #expect(c.scheme == .forward && c.method == .hiso && c.learningRate == 3e-3 && c.seed == 2)
        #expect(settings.seeds.count >= 3 && settings.grids.map(\.method) == [.decomfl, .hiso])
    }
}
