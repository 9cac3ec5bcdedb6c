import Foundation
import HiSoFederation
import HiSoKernels
import HiSoTransformer
import Testing

@testable import HiSoExperiments

/// A finished pilot or final curve with the given validation accuracy and loss (`1 - accuracy`
/// unless given) and dev accuracy at its last point.
func finetuneCurve(
    _ method: String, _ lr: Double, seed: UInt64 = 0, validation: Double?, validationLoss: Double? = nil, dev: [Double] = [0.5, 0.7],
    status: ReportCurve.Status = .completed
) -> ReportCurve {
    let points = dev.enumerated().map { i, acc in
        let last = i == dev.count - 1
        return CurvePoint(
            round: i * 100, testAccuracy: acc, testLoss: 0.5, trainLoss: 0.5, bytesUp: UInt64(i * 40), bytesDown: UInt64(i * 400),
            wallSeconds: Double(i), validationAccuracy: last ? validation : 0.5,
            validationLoss: last ? validationLoss ?? validation.map { 1 - $0 } : 0.5)
    }
    return ReportCurve(method: method, learningRate: lr, seed: seed, points: points, roundsCompleted: (dev.count - 1) * 100, status: status)
}

@Suite("sst2-minilm-finetune: selection, divergence, hold-out, probe, report")
struct SST2FinetuneScenarioTests {
    @Test("the hold-out is disjoint from the training rows, covers the set, and depends only on the seed")
    func holdoutDisjoint() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-holdout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rows = (0..<50).map { "\($0 % 2)\tsentence number \($0)" }
        try ("label\tsentence\n" + rows.joined(separator: "\n") + "\n").write(
            to: directory.appendingPathComponent("train.tsv"), atomically: true, encoding: .utf8)
        let data = try SST2Dataset(directory: directory, split: "train")
        let a = try data.holdout(count: 12, seed: 7)
        let b = try data.holdout(count: 12, seed: 7)
        let c = try data.holdout(count: 12, seed: 8)
        #expect(a.validation.count == 12 && a.train.count == 38)
        #expect(Set(a.validation.sentences).isDisjoint(with: Set(a.train.sentences)))
        #expect(Set(a.validation.sentences).union(a.train.sentences) == Set(data.sentences))
        #expect(a == b)
        #expect(a.validation.sentences != c.validation.sentences)
        for (sentence, label) in zip(a.validation.sentences, a.validation.labels) {
            #expect(data.labels[data.sentences.firstIndex(of: sentence)!] == label)
        }
        #expect(throws: TransformerError.self) { _ = try data.holdout(count: 50, seed: 0) }
        #expect(try data.holdout(count: 0, seed: 3).train == data)
    }

    @Test(
        "LP-FT: the task holds the validation split out of the clients, reports it, and starts from the probe's head",
        .enabled(if: SST2Fixtures.loaded != nil, SST2Fixtures.missing))
    func probeStart() throws {
        let loaded = try #require(SST2Fixtures.loaded).get()
        let model = loaded.model
        let split = try loaded.train.holdout(count: 12, seed: 3)
        let backend = try Kernels.backend(nil, threads: 1)
        func features(_ data: SST2Dataset) throws -> ([Float], [Int32]) {
            (try LinearProbe.features(model: model, sentences: data.sentences, maxLength: 16, backend: backend), data.labels)
        }
        let probe = LinearProbe.fit(
            train: try features(split.train), validation: try features(split.validation), dev: try features(loaded.dev),
            width: model.encoder.configuration.hiddenSize)
        let settings = SST2MiniLMTask.Settings(
            subset: "last-1", clients: 3, batchSize: 4, maxLength: 16, evaluationTrainSample: 8, validationCount: 12, initialHead: probe.head)
        let task = try SST2MiniLMTask(model: model, train: loaded.train, dev: loaded.dev, settings: settings, seed: 3)
        let validation = try #require(task.validation)
        #expect(task.inner.trainTexts == (try EncodedTexts(split.train.sentences, tokenizer: model.tokenizer, maxLength: 16)))
        #expect(validation.testTexts == (try EncodedTexts(split.validation.sentences, tokenizer: model.tokenizer, maxLength: 16)))
        #expect(Set(task.inner.partition.clients.flatMap { $0 }) == Set(0..<(loaded.train.count - 12)))
        var x = [Float](repeating: 0, count: task.parameterCount)
        x.withUnsafeMutableBufferPointer { task.initialParameters(seed: 9, into: $0) }
        let start = try x.withUnsafeBufferPointer { try task.evaluate(at: $0) }
        #expect(abs(try #require(start.testAccuracy) - probe.devAccuracy) <= 1.0 / 40 + 1e-9)
        #expect(abs(try #require(start.validationAccuracy) - probe.validationAccuracy) <= 1.0 / 12 + 1e-9)
        #expect(abs(start.testLoss - probe.devLoss) < 1e-3)
        var fresh = settings
        fresh.initialHead = nil
        let plain = try SST2MiniLMTask(model: model, train: loaded.train, dev: loaded.dev, settings: fresh, seed: 3)
        var y = [Float](repeating: 0, count: plain.parameterCount)
        y.withUnsafeMutableBufferPointer { plain.initialParameters(seed: 9, into: $0) }
        let head = task.inner.classifier.headOffset
        #expect(Array(x[..<head]) == Array(y[..<head]))
        #expect(Array(x[head...]) == probe.head && Array(y[head...]) != probe.head)
        var wrong = settings
        wrong.initialHead = [1, 2, 3]
        #expect(throws: SST2MiniLMTask.SetupError.self) {
            _ = try SST2MiniLMTask(model: model, train: loaded.train, dev: loaded.dev, settings: wrong, seed: 3)
        }
    }

    @Test("selection: lowest median validation loss among rates that never diverge; ties to the smaller rate; no choice while runs are missing")
    func selectionRule() {
        // Loss decides, not accuracy: the SST-2 pilots tie in accuracy while the loss orders them.
        let tied = [1e-5, 3e-5, 1e-4].enumerated().map { i, lr in finetuneCurve("decomfl", lr, validation: 0.835, validationLoss: 0.382 - Double(i) * 1e-3) }
        #expect(SST2FinetuneScenario.choose(method: "decomfl", grid: [1e-5, 3e-5, 1e-4], curves: tied, seeds: [0]).learningRate == 1e-4)
        let grid = [1e-5, 3e-5, 1e-4, 3e-4]
        var curves = [
            finetuneCurve("hiso", 1e-5, validation: 0.80), finetuneCurve("hiso", 3e-5, validation: 0.84),
            finetuneCurve("hiso", 1e-4, validation: 0.84), finetuneCurve("hiso", 3e-4, validation: 0.90, status: .diverged),
            finetuneCurve("decomfl", 3e-4, validation: 0.99),
        ]
        let choice = SST2FinetuneScenario.choose(method: "hiso", grid: grid, curves: curves, seeds: [0])
        #expect(choice.status == .chosen && choice.learningRate == 3e-5)
        #expect(choice.grid.map(\.diverged) == [0, 0, 0, 1])
        // A rate that diverges on one seed is out even when its median is the best.
        curves = grid.flatMap { lr in (0..<3).map { finetuneCurve("hiso", lr, seed: UInt64($0), validation: lr == 1e-4 ? 0.9 : 0.8) } }
        curves[7].status = .diverged
        let threeSeeds = SST2FinetuneScenario.choose(method: "hiso", grid: grid, curves: curves, seeds: [0, 1, 2])
        #expect(threeSeeds.learningRate == 1e-5)
        let waiting = SST2FinetuneScenario.choose(method: "hiso", grid: grid, curves: Array(curves.dropLast()), seeds: [0, 1, 2])
        #expect(waiting.status == .waiting && waiting.learningRate == nil)
        let interrupted = curves.map { c -> ReportCurve in
            var copy = c
            if copy.learningRate == 3e-4 && copy.seed == 2 { copy.status = .interrupted }
            return copy
        }
        #expect(SST2FinetuneScenario.choose(method: "hiso", grid: grid, curves: interrupted, seeds: [0, 1, 2]).status == .waiting)
        let diverged = grid.map { finetuneCurve("hiso", $0, validation: 0.9, status: .diverged) }
        #expect(SST2FinetuneScenario.choose(method: "hiso", grid: grid, curves: diverged, seeds: [0]).status == .allDiverged)
    }

    @Test("hiso-curv runs on request with the ZO grid and central differences; the other ZO methods use forward differences")
    func curvatureMethod() {
        let settings = SST2FinetuneScenario.Settings(modelDirectory: "m", dataDirectory: "d")
        #expect(!settings.methods.contains(.hisoCurv))
        for start in SST2FinetuneScenario.Start.allCases {
            #expect(settings.grid(start, "hiso-curv") == settings.grid(start, "hiso") && !settings.grid(start, "hiso").isEmpty)
        }
        let base = settings.configuration(rounds: 10)
        #expect(ComparedMethod.hisoCurv.configure(base).scheme == .central)
        #expect(ComparedMethod.hiso.configure(base).scheme == .forward)
        #expect(SST2FinetuneReport.label("hiso-curv") == "HiSo (curvature rule)")
    }

    @Test("the grid widens along 1-3-10 while the choice sits at an edge, at most the allowed number of times")
    func widening() {
        #expect(SST2FinetuneScenario.ladderUp(1e-4) == 3e-4 && SST2FinetuneScenario.ladderUp(3e-4) == 1e-3)
        #expect(SST2FinetuneScenario.ladderDown(1e-5) == 3e-6 && SST2FinetuneScenario.ladderDown(3e-6) == 1e-6)
        let initial = [1e-5, 3e-5, 1e-4, 3e-4]
        func choice(_ lr: Double?, _ status: SST2FinetuneScenario.Choice.Status = .chosen) -> SST2FinetuneScenario.Choice {
            SST2FinetuneScenario.Choice(method: "hiso", grid: [], status: status, learningRate: lr)
        }
        #expect(SST2FinetuneScenario.nextRate(grid: initial, initial: initial, choice: choice(3e-4), maximumWidenings: 2) == 1e-3)
        #expect(SST2FinetuneScenario.nextRate(grid: initial, initial: initial, choice: choice(1e-5), maximumWidenings: 2) == 3e-6)
        #expect(SST2FinetuneScenario.nextRate(grid: initial, initial: initial, choice: choice(3e-5), maximumWidenings: 2) == nil)
        #expect(SST2FinetuneScenario.nextRate(grid: [1e-4], initial: [1e-4], choice: choice(1e-4), maximumWidenings: 2) == nil)
        #expect(SST2FinetuneScenario.nextRate(grid: initial, initial: initial, choice: choice(nil, .waiting), maximumWidenings: 2) == nil)
        #expect(SST2FinetuneScenario.nextRate(grid: initial, initial: initial, choice: choice(nil, .allDiverged), maximumWidenings: 2) == 3e-6)
        let wide = initial + [1e-3, 3e-3]
        #expect(SST2FinetuneScenario.nextRate(grid: wide, initial: initial, choice: choice(3e-3), maximumWidenings: 2) == nil)
        #expect(SST2FinetuneScenario.nextRate(grid: wide, initial: initial, choice: choice(3e-3), maximumWidenings: 3) == 1e-2)
    }

    @Test("divergence: an evaluated training loss above the multiple of the initial stops the run as diverged, and is recorded")
    func divergenceMultiple() throws {
        var spec = TaskSpecification(name: .digits)
        spec.batchSize = 16
        var c = TaskDefaults(.digits).configuration
        c.rounds = 4
        c.evaluateEvery = 2
        func run(_ multiple: Double?) throws -> ReportCurve {
            let plan = ExperimentPlan(
                task: spec, configuration: c, methods: [.decomfl], learningRates: [1e-2], seeds: [0], targets: [0.5],
                divergenceLossMultiple: multiple)
            return try ExperimentRunner(plan: plan).execute(plan.runs[0])
        }
        let strict = try run(0.5)
        #expect(strict.status == .diverged && strict.roundsCompleted == 0)
        #expect(strict.note?.contains("above 0.5 x the initial") == true)
        #expect(try run(1e6).status == .completed)
        #expect(try run(nil).status == .completed)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-divergence-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try ComparisonFiles(directory: directory, title: "t", configuration: ["k": 1])
        var configuration = c
        configuration.learningRate = 1e-2
        try files.writeRecord(RunRecord(task: spec, configuration: configuration, curve: strict, divergenceLossMultiple: 0.5))
        #expect(try files.reusableCurve(task: spec, configuration: configuration, method: "decomfl", learningRate: 1e-2, seed: 0, divergenceLossMultiple: 0.5) == strict)
        #expect(try files.reusableCurve(task: spec, configuration: configuration, method: "decomfl", learningRate: 1e-2, seed: 0, divergenceLossMultiple: 3) == nil)
    }

    @Test("the probe: Newton logistic regression separates separable data, picks lambda by validation, its head scores as the weights do")
    func probeFit() {
        let h = 6
        var generator = SeededGenerator(seed: 4, stream: [1])
        func sample(_ n: Int) -> ([Float], [Int32]) {
            var x: [Float] = []
            var y: [Int32] = []
            for _ in 0..<n {
                let label: Int32 = generator.nextUnitDouble() < 0.5 ? 0 : 1
                for j in 0..<h {
                    let signal = j == 0 ? (label == 1 ? 1.0 : -1.0) : 0
                    x.append(Float(3 + signal + 1.2 * (generator.nextUnitDouble() * 2 - 1)))
                }
                y.append(label)
            }
            return (x, y)
        }
        let train = sample(400), validation = sample(200), dev = sample(200)
        let probe = LinearProbe.fit(train: train, validation: validation, dev: dev, width: h)
        let again = LinearProbe.fit(train: train, validation: validation, dev: dev, width: h)
        #expect(probe == again)
        #expect(probe.devAccuracy > 0.85 && probe.validationAccuracy > 0.85)
        #expect(probe.head.count == 2 * (h + 1))
        let chosen = probe.grid.first { $0.l2 == probe.l2 }!
        #expect(chosen.validationAccuracy == probe.validationAccuracy)
        #expect(probe.grid.allSatisfy { $0.validationAccuracy <= probe.validationAccuracy })
        #expect(probe.grid.map(\.l2) == probe.grid.map(\.l2).sorted())
        let edge = probe.l2 == probe.grid.first!.l2 || probe.l2 == probe.grid.last!.l2
        #expect(!edge || probe.grid.count > LinearProbe.defaultGrid.count)
        let tied = [LinearProbe.Candidate(l2: 1e-3, validationAccuracy: 0.9, validationLoss: 0, trainAccuracy: 0, iterations: 1),
                    LinearProbe.Candidate(l2: 1e-1, validationAccuracy: 0.9, validationLoss: 0, trainAccuracy: 0, iterations: 1)]
        #expect(LinearProbe.choose(tied).l2 == 1e-1)
    }

    @Test("a feature constant up to float rounding gets head weight 0, not a huge one (MiniLM's dimension 319 once got 8e7)")
    func probeIgnoresConstantFeature() {
        let h = 4
        var generator = SeededGenerator(seed: 9, stream: [2])
        func sample(_ n: Int) -> ([Float], [Int32]) {
            var x: [Float] = []
            var y: [Int32] = []
            for _ in 0..<n {
                let label: Int32 = generator.nextUnitDouble() < 0.5 ? 0 : 1
                x.append(Float((label == 1 ? 1.0 : -1.0) + 1.5 * (generator.nextUnitDouble() * 2 - 1)))
                x.append(Float(generator.nextUnitDouble()))
                // Constant up to one float32 ulp, the way a massive-activation dimension comes out.
                x.append(generator.nextUnitDouble() < 0.5 ? Float(-12.5) : Float(-12.5).nextUp)
                x.append(Float(2 * generator.nextUnitDouble() - 1))
                y.append(label)
            }
            return (x, y)
        }
        let probe = LinearProbe.fit(train: sample(400), validation: sample(200), dev: sample(200), width: h)
        #expect(probe.head[2] == 0 && probe.head[h + 2] == 0, "\(probe.head)")
        #expect(probe.head.allSatisfy { abs($0) < 100 }, "\(probe.head)")
        #expect(probe.devAccuracy > 0.7)
    }

    @Test("an unreached target is 'not reached' in the median: [500, 700, n.r.] -> 700, [500, n.r., n.r.] -> n.r.")
    func notReachedMedian() throws {
        func curve(_ seed: UInt64, reachAt round: Int?) -> ReportCurve {
            let points = [0, 500, 700, 900].map { r in
                CurvePoint(
                    round: r, testAccuracy: round.map { r >= $0 ? 0.86 : 0.5 } ?? 0.5, testLoss: 1, trainLoss: 1, bytesUp: UInt64(r),
                    bytesDown: UInt64(r), wallSeconds: 0)
            }
            return ReportCurve(method: "hiso", learningRate: 1e-4, seed: seed, points: points, roundsCompleted: 900, status: .completed)
        }
        let some = try ComparisonSummary(curves: [curve(0, reachAt: 500), curve(1, reachAt: 700), curve(2, reachAt: nil)], targets: [0.85])
        #expect(some.methods[0].targets[0].medianRounds == 700)
        let few = try ComparisonSummary(curves: [curve(0, reachAt: 500), curve(1, reachAt: nil), curve(2, reachAt: nil)], targets: [0.85])
        #expect(few.methods[0].targets[0].medianRounds == nil)
    }

    @Test("a grid that diverged everywhere and cannot widen plans no final runs, so the report can finish")
    func allDivergedPlansNoFinals() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-finetune-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = SST2FinetuneScenario.Settings(modelDirectory: "/m", dataDirectory: "/d")
        settings.starts = [.pretrained]
        settings.methods = [.decomfl]
        settings.grids = ["pretrained": ["decomfl": [1e-4]]]
        settings.maximumWidenings = 0
        let pilotPlan = settings.pilotPlan(start: .pretrained, probeHead: nil, rates: settings.grids["pretrained"]!)
        let pilotFiles = try ComparisonFiles(
            directory: SST2FinetuneReport.pilotDirectory(directory, .pretrained), title: "pilot", configuration: pilotPlan)
        var run = try #require(pilotPlan.runs.first).configuration
        run.seed = 0
        try pilotFiles.writeRecord(RunRecord(
            task: pilotPlan.task, configuration: run, curve: finetuneCurve("decomfl", 1e-4, validation: 0.5, status: .diverged),
            divergenceLossMultiple: settings.divergenceLossMultiple))
        let report = try SST2FinetuneReport(directory: directory, settings: settings)
        #expect(report.rows.first?.choice.status == .allDiverged)
        #expect(report.runsFinished == 1 && report.runsPlanned == 1)
        #expect(report.markdown().contains("Status: 1 of 1 runs finished.\n"))
    }

    @Test("a partial grid gives an honest partial report from the records alone")
    func partialReport() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-finetune-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = SST2FinetuneScenario.Settings(modelDirectory: "/m", dataDirectory: "/d")
        settings.starts = [.pretrained]
        settings.methods = [.decomfl, .hiso]
        settings.grids = ["pretrained": ["decomfl": [1e-5, 1e-4, 1e-3], "hiso": [1e-5, 1e-4]]]
        settings.seeds = [0, 1, 2]
        let pilotPlan = settings.pilotPlan(start: .pretrained, probeHead: nil, rates: settings.grids["pretrained"]!)
        let pilotFiles = try ComparisonFiles(
            directory: SST2FinetuneReport.pilotDirectory(directory, .pretrained), title: "pilot", configuration: pilotPlan)
        for (method, lr, validation) in [("decomfl", 1e-5, 0.81), ("decomfl", 1e-4, 0.83), ("decomfl", 1e-3, 0.80), ("hiso", 1e-5, 0.82)] {
            var run = pilotPlan.runs.first { $0.method.rawValue == method && $0.learningRate == lr }!.configuration
            run.seed = 0
            try pilotFiles.writeRecord(RunRecord(
                task: pilotPlan.task, configuration: run, curve: finetuneCurve(method, lr, validation: validation),
                divergenceLossMultiple: settings.divergenceLossMultiple))
        }
        let finalPlan = settings.finalPlan(start: .pretrained, probeHead: nil, chosen: ["decomfl": 1e-4])
        let finalFiles = try ComparisonFiles(
            directory: SST2FinetuneReport.finalDirectory(directory, .pretrained), title: "final", configuration: finalPlan)
        for seed in [UInt64(0), 1] {
            let run = finalPlan.runs.first { $0.seed == seed }!
            try finalFiles.writeRecord(RunRecord(
                task: finalPlan.task, configuration: run.configuration,
                curve: finetuneCurve("decomfl", 1e-4, seed: seed, validation: 0.83, dev: [0.5, seed == 0 ? 0.81 : 0.79]),
                divergenceLossMultiple: settings.divergenceLossMultiple))
        }
        try finalFiles.writeRun(finetuneCurve("decomfl", 1e-4, seed: 2, validation: 0.8, status: .running))
        let report = try SST2FinetuneReport(directory: directory, settings: settings)
        #expect(report.runsFinished == 4 + 2)
        #expect(report.runsPlanned == (3 + 3) + (2 + 3))
        let decomfl = try #require(report.rows.first { $0.method == "decomfl" })
        #expect(decomfl.choice.learningRate == 1e-4 && decomfl.seedsFinished == 2)
        #expect(decomfl.result?.targets[0].medianRounds == nil)
        let hiso = try #require(report.rows.first { $0.method == "hiso" })
        #expect(hiso.choice.status == .waiting && hiso.result == nil)
        #expect(report.unfinished.count == 1 && report.unfinished[0].contains("decomfl_lr1e-4_seed2"))
        let markdown = report.markdown()
        #expect(markdown.contains("6 of 11 runs finished (PARTIAL)"))
        #expect(markdown.contains("| pretrained | DeComFL | 1e-4 | 2/3 | 80.00 (79.00-81.00) |"))
        #expect(markdown.contains("| pretrained | HiSo (peer rule) | waiting |"))
        try report.write(to: directory)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("pretrained_accuracy_vs_rounds.svg").path))
    }
}
