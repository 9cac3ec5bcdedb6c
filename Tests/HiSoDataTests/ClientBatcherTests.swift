import Foundation
import Testing
@testable import HiSoData

/// Seeded epoch-wise shuffling and batching into a reusable buffer.
@Suite struct ClientBatcherTests {
    static func toy(count: Int = 10) throws -> Dataset {
        try Dataset(
            features: (0..<(count * 3)).map(Float.init), labels: (0..<count).map { Int32($0 % 4) },
            classCount: 4, featureShape: [3], name: "toy")
    }

    @Test func eachEpochIsAPermutationWithAPartialLastBatch() throws {
        let dataset = try Self.toy()
        let indices = [0, 2, 3, 5, 7, 8, 9]
        var batcher = try ClientBatcher(dataset: dataset, indices: indices, batchSize: 3, seed: 11, client: 4)
        #expect(batcher.batchesPerEpoch == 3)
        var batch = batcher.makeBatch()
        var epochs: [[Int]] = []
        for _ in 0..<3 {
            var seen: [Int] = []
            var sizes: [Int] = []
            for _ in 0..<3 {
                batcher.next(into: &batch)
                sizes.append(batch.count)
                for row in 0..<batch.count {
                    let index = batch.sampleIndices[row]
                    seen.append(index)
                    #expect(batch.labels[row] == dataset.labels[index])
                    #expect(Array(batch.features[row * 3 ..< row * 3 + 3]) == Array(dataset.features(ofSample: index)))
                }
            }
            #expect(sizes == [3, 3, 1])
            #expect(seen.sorted() == indices)
            epochs.append(seen)
        }
        #expect(batcher.epoch == 2)
        #expect(epochs[0] != epochs[1] || epochs[1] != epochs[2], "epochs must reshuffle")
    }

    @Test func streamDependsOnSeedClientAndEpochOnly() throws {
        let dataset = try Self.toy(count: 40)
        func stream(seed: UInt64, client: Int) throws -> [Int] {
            var batcher = try ClientBatcher(dataset: dataset, batchSize: 8, seed: seed, client: client)
            return (0..<12).flatMap { _ in batcher.nextIndices() }
        }
        #expect(try stream(seed: 1, client: 0) == stream(seed: 1, client: 0))
        #expect(try stream(seed: 1, client: 0) != stream(seed: 1, client: 1))
        #expect(try stream(seed: 1, client: 0) != stream(seed: 2, client: 0))

        var sequential = try ClientBatcher(dataset: dataset, batchSize: 8, seed: 1, client: 3)
        let all = (0..<13).map { _ in Array(sequential.nextIndices()) }
        var random = try ClientBatcher(dataset: dataset, batchSize: 8, seed: 1, client: 3)
        for number in [12, 0, 7, 5, 11] {
            random.seek(toBatch: number)
            #expect(Array(random.nextIndices()) == all[number], "batch \(number)")
        }
    }

    @Test func dropLastSkipsThePartialBatch() throws {
        let dataset = try Self.toy()
        var batcher = try ClientBatcher(dataset: dataset, batchSize: 4, seed: 0, dropLast: true)
        #expect(batcher.batchesPerEpoch == 2)
        let sizes = (0..<6).map { _ in batcher.nextIndices().count }
        #expect(sizes == [4, 4, 4, 4, 4, 4])
        #expect(batcher.epoch == 2)
    }

    @Test func invalidConfigurationsAreTypedErrors() throws {
        let dataset = try Self.toy()
        #expect(throws: DataError.emptyClient(client: 2, clientCount: 3, partition: "batcher for toy")) {
            try ClientBatcher(dataset: dataset, indices: [], batchSize: 2, seed: 0, client: 2)
        }
        #expect(throws: DataError.self) { try ClientBatcher(dataset: dataset, indices: [0, 10], batchSize: 2, seed: 0) }
        #expect(throws: DataError.self) { try ClientBatcher(dataset: dataset, batchSize: 0, seed: 0) }
        #expect(throws: DataError.self) { try ClientBatcher(dataset: dataset, batchSize: 11, seed: 0, dropLast: true) }
        #expect(throws: DataError.dimensionMismatch(
            what: "features per sample of toy (model input vs data)", expected: 64, found: 3)) {
            try dataset.requireFeatureCount(64)
        }
    }

    @Test func datasetValidation() throws {
        #expect(throws: DataError.self) {
            try Dataset(features: [1, 2, 3], labels: [0, 1], classCount: 2, featureShape: [2])
        }
        #expect(throws: DataError.labelOutOfRange(file: "d", location: "sample 1", label: 5, classCount: 2)) {
            try Dataset(features: [1, 2], labels: [0, 5], classCount: 2, featureShape: [1], name: "d")
        }
        let dataset = try Self.toy()
        #expect(throws: DataError.self) { try dataset.subset([0, 10]) }
        let sub = try dataset.subset([9, 0, 9])
        #expect(sub.labels == [1, 0, 1] && Array(sub.features.prefix(3)) == [27, 28, 29])
    }
}
