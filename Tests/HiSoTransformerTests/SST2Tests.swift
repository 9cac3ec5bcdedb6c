import Foundation
import HiSoData
import HiSoTestSupport
import Testing
@testable import HiSoTransformer

@Suite("SST-2 loader and federated task")
struct SST2Tests {
    static func temporaryTSV(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hiso-sst2-\(UUID().uuidString).tsv")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test("both column names, CRLF line ends and any column order are read")
    func columns() throws {
        let a = try SST2Dataset(contentsOf: Self.temporaryTSV("label\tcontent\r\n1\tgood film\r\n0\tbad\r\n"))
        #expect(a.sentences == ["good film", "bad"])
        #expect(a.labels == [1, 0])
        let b = try SST2Dataset(contentsOf: Self.temporaryTSV("sentence\tlabel\nfun\t1\n"))
        #expect(b.sentences == ["fun"] && b.labels == [1])
    }

    @Test("malformed TSV files are typed errors naming the line")
    func malformed() throws {
        let bad = try Self.temporaryTSV("label\tsentence\n1\tok\n2\tbad label\n")
        #expect(throws: TransformerError.badTSV(file: bad.path, line: 3, reason: "label '2' is not 0 or 1")) {
            try SST2Dataset(contentsOf: bad)
        }
        let short = try Self.temporaryTSV("label\tsentence\tx\n1\tok\n")
        #expect(throws: TransformerError.badTSV(file: short.path, line: 2, reason: "expected 3 tab-separated fields, found 2")) {
            try SST2Dataset(contentsOf: short)
        }
        let noLabel = try Self.temporaryTSV("text\tsentence\n")
        #expect(throws: TransformerError.self) { try SST2Dataset(contentsOf: noLabel) }
    }

    @Test("Data/sst2: 67,349 train and 872 dev rows", .enabled(if: TransformerFixtures.sst2Directory != nil, TransformerFixtures.sst2Missing))
    func sharedData() throws {
        let directory = try #require(TransformerFixtures.sst2Directory)
        let dev = try SST2Dataset(directory: directory, split: "dev")
        #expect(dev.count == 872)
        #expect(dev.sentences[0] == "one long string of cliches .")
        let train = try SST2Dataset(directory: directory, split: "train")
        #expect(train.count == 67_349)
        #expect(train.sentences[0] == "hide new secretions from the parental units")
        #expect(Set(train.labels) == [0, 1])
    }

    static func tinyTask(_ subset: TrainableSubset, alpha: Double? = nil) throws -> SST2ClassificationTask {
        let model = try PretrainedBert(directory: TransformerFixtures.url("tiny_bert"))
        let words = ["the movie is great", "a very boring plot", "i liked the actors", "not fun , too long",
                     "best film ever !", "worst story ever", "so funny and smart", "dull and slow"]
        let rows = (0..<48).map { "\($0 % 2)\t\(words[$0 % 8]) \(words[($0 / 8) % 8])" }
        let train = try SST2Dataset(contentsOf: temporaryTSV("label\tsentence\n" + rows.joined(separator: "\n")))
        let test = try SST2Dataset(contentsOf: temporaryTSV("label\tcontent\n" + rows.prefix(10).joined(separator: "\n")))
        return try SST2ClassificationTask(
            model: model, train: train, test: test,
            configuration: .init(subset: subset, clients: 6, dirichletAlpha: alpha, batchSize: 4, maxLength: 16,
                                 evaluationTrainSample: 8, seed: 5),
            backend: TransformerFixtures.backends[0])
    }

    @Test("the task splits clients, draws deterministic batches from each client, and evaluates")
    func task() throws {
        let task = try Self.tinyTask(.lastLayers(1), alpha: 0.5)
        #expect(task.clientCount == 6)
        #expect(task.partition.assignedCount == 48)
        let batch = task.batchIndices(client: 2, round: 3, step: 0)
        #expect(batch == task.batchIndices(client: 2, round: 3, step: 0))
        #expect(batch.allSatisfy { task.partition.clients[2].contains($0) })
        var x = [Float](repeating: 0, count: task.parameterCount)
        x.withUnsafeMutableBufferPointer { task.initialParameters(seed: 1, into: $0) }
        let loss = try x.withUnsafeBufferPointer { try task.loss(at: $0, client: 2, round: 3, step: 0) }
        #expect(loss.isFinite && loss > 0)
        let evaluation = try x.withUnsafeBufferPointer { try task.evaluate(at: $0) }
        #expect(evaluation.testAccuracy >= 0 && evaluation.testAccuracy <= 1)
        #expect(evaluation.testLoss.isFinite && evaluation.trainLoss.isFinite)
        #expect(throws: TransformerError.invalidArgument(name: "client", value: "6", expected: "0..<6")) {
            try x.withUnsafeBufferPointer { try task.loss(at: $0, client: 6, round: 0, step: 0) }
        }
    }

    @Test("head-only training through the feature cache gives the uncached losses")
    func cache() throws {
        let cached = try Self.tinyTask(.head)
        let direct = try Self.tinyTask(.lastLayers(1))
        var h = [Float](repeating: 0, count: cached.parameterCount)
        h.withUnsafeMutableBufferPointer { cached.initialParameters(seed: 1, into: $0) }
        var full = [Float](repeating: 0, count: direct.parameterCount)
        full.withUnsafeMutableBufferPointer { direct.initialParameters(seed: 1, into: $0) }
        for round in UInt64(0)..<3 {
            let a = try h.withUnsafeBufferPointer { try cached.loss(at: $0, client: 1, round: round, step: 0) }
            let b = try full.withUnsafeBufferPointer { try direct.loss(at: $0, client: 1, round: round, step: 0) }
            #expect(relativeDifference(a, b) < 1e-6)
        }
        let e1 = try h.withUnsafeBufferPointer { try cached.evaluate(at: $0) }
        let e2 = try full.withUnsafeBufferPointer { try direct.evaluate(at: $0) }
        #expect(e1.testAccuracy == e2.testAccuracy && abs(e1.testLoss - e2.testLoss) < 1e-6)
    }
}
