import Foundation
import Testing
import HiSoKernels
@testable import HiSoData

/// IID, Dirichlet and peer-Dirichlet partitions: coverage, determinism, skew versus alpha.
@Suite struct PartitionTests {
    /// 10 classes of unequal sizes (60 + 5c samples), interleaved.
    static let labels: [Int32] = {
        var labels: [Int32] = []
        for c in 0..<10 { labels += [Int32](repeating: Int32(c), count: 60 + 5 * c) }
        var generator = SeededGenerator(seed: 99)
        generator.shuffle(&labels)
        return labels
    }()

    static func expectEverySampleOnce(_ partition: Partition, sampleCount: Int) {
        let all = partition.clients.joined().sorted()
        #expect(all == Array(0..<sampleCount), "\(partition.name) does not cover every sample exactly once")
        #expect(partition.unassigned.isEmpty)
        #expect(partition.sizes.allSatisfy { $0 > 0 })
    }

    @Test func iidCoversEverySampleOnceWithBalancedSizes() throws {
        let partition = try Partition.iid(labels: Self.labels, clients: 8, seed: 1)
        Self.expectEverySampleOnce(partition, sampleCount: Self.labels.count)
        let n = Self.labels.count
        #expect(partition.sizes.allSatisfy { $0 == n / 8 || $0 == n / 8 + 1 })
        #expect(partition.clients.allSatisfy { $0 == $0.sorted() })
        let histograms = partition.labelHistograms(labels: Self.labels, classCount: 10)
        #expect(histograms.map { $0.reduce(0, +) } == partition.sizes)
    }

    @Test(arguments: [0.05, 0.5, 5.0])
    func dirichletCoversEverySampleOnce(alpha: Double) throws {
        let partition = try Partition.dirichlet(labels: Self.labels, classCount: 10, clients: 8, alpha: alpha, seed: 2)
        Self.expectEverySampleOnce(partition, sampleCount: Self.labels.count)
        #expect(partition.clientCount == 8)
        let histograms = partition.labelHistograms(labels: Self.labels, classCount: 10)
        let perClass = (0..<10).map { c in histograms.reduce(0) { $0 + $1[c] } }
        #expect(perClass == (0..<10).map { 60 + 5 * $0 })
    }

    @Test func dirichletSkewGrowsAsAlphaShrinks() throws {
        let alphas = [100.0, 1.0, 0.1, 0.01]
        var entropies: [Double] = []
        for alpha in alphas {
            var total = 0.0
            for seed in 0..<5 as Range<UInt64> {
                let partition = try Partition.dirichlet(labels: Self.labels, classCount: 10, clients: 8, alpha: alpha, seed: seed)
                total += partition.meanLabelEntropy(labels: Self.labels, classCount: 10)
            }
            entropies.append(total / 5)
        }
        #expect(entropies[0] > log(10.0) - 0.05, "alpha 100 is near IID: \(entropies)")
        for k in 1..<entropies.count {
            #expect(entropies[k] < entropies[k - 1] - 0.1, "entropy must fall as alpha shrinks: \(entropies)")
        }
    }

    @Test func peerDirichletBalancedWithRemainderUnassigned() throws {
        let n = Self.labels.count
        let partition = try Partition.peerDirichlet(labels: Self.labels, classCount: 10, clients: 8, alpha: 0.5, seed: 3)
        #expect(partition.sizes == [Int](repeating: n / 8, count: 8))
        #expect(partition.unassigned.count == n % 8)
        #expect(Set(partition.clients.joined()).count == n - n % 8)
    }

    @Test func peerVariantIsMoreSkewedThanStandardAtSameAlpha() throws {
        var standard = 0.0
        var peer = 0.0
        for seed in 0..<5 as Range<UInt64> {
            standard += try Partition.dirichlet(labels: Self.labels, classCount: 10, clients: 8, alpha: 0.5, seed: seed)
                .meanLabelEntropy(labels: Self.labels, classCount: 10)
            peer += try Partition.peerDirichlet(labels: Self.labels, classCount: 10, clients: 8, alpha: 0.5, seed: seed)
                .meanLabelEntropy(labels: Self.labels, classCount: 10)
        }
        #expect(peer < standard - 0.2, "peer \(peer / 5) vs standard \(standard / 5)")
    }

    @Test func partitionsAreAPureFunctionOfTheSeed() throws {
        let labels = Self.labels
        #expect(try Partition.iid(labels: labels, clients: 8, seed: 5) == Partition.iid(labels: labels, clients: 8, seed: 5))
        #expect(try Partition.iid(labels: labels, clients: 8, seed: 5).clients != Partition.iid(labels: labels, clients: 8, seed: 6).clients)
        let a = try Partition.dirichlet(labels: labels, classCount: 10, clients: 8, alpha: 0.3, seed: 5)
        let b = try Partition.dirichlet(labels: labels, classCount: 10, clients: 8, alpha: 0.3, seed: 5)
        let c = try Partition.dirichlet(labels: labels, classCount: 10, clients: 8, alpha: 0.3, seed: 6)
        #expect(a == b && a.clients != c.clients)
        let p = try Partition.peerDirichlet(labels: labels, classCount: 10, clients: 8, alpha: 0.3, seed: 5)
        let q = try Partition.peerDirichlet(labels: labels, classCount: 10, clients: 8, alpha: 0.3, seed: 5)
        #expect(p == q)
    }

    @Test func emptyClientsAndBadArgumentsAreTypedErrors() throws {
        let labels: [Int32] = [0, 0, 1, 1, 2, 2]
        #expect(throws: DataError.emptyClient(client: 1, clientCount: 2, partition: "manual")) {
            try Partition(clients: [[0, 1], []], sampleCount: 6, name: "manual")
        }
        #expect(throws: DataError.invalidAssignment(
            partition: "manual", location: "client 1, position 0", index: 1, sampleCount: 6, reason: "assigned more than once")) {
            try Partition(clients: [[0, 1], [1]], sampleCount: 6, name: "manual")
        }
        #expect(throws: DataError.self) { try Partition.iid(labels: labels, clients: 7, seed: 0) }
        #expect(throws: DataError.self) { try Partition.iid(labels: labels, clients: 0, seed: 0) }
        for alpha in [0.0, -1.0, .nan, .infinity] {
            #expect(throws: DataError.self) {
                try Partition.dirichlet(labels: labels, classCount: 3, clients: 2, alpha: alpha, seed: 0)
            }
        }
        #expect(throws: DataError.labelOutOfRange(file: "dirichlet(alpha: 1.0, clients: 2, seed: 0)", location: "sample 1", label: 3, classCount: 3)) {
            try Partition.dirichlet(labels: [0, 3], classCount: 3, clients: 2, alpha: 1, seed: 0)
        }
        #expect(throws: DataError.self) {
            try Partition.peerDirichlet(labels: [0, 0, 2, 2], classCount: 3, clients: 2, alpha: 1, seed: 0)
        }
        #expect(throws: DataError.self) {
            try Partition.peerDirichlet(labels: [0, 1, 2, 2], classCount: 3, clients: 2, alpha: .leastNonzeroMagnitude, seed: 0)
        }
    }

    @Test func tinyAlphaWithManyClientsRedrawsThenFails() throws {
        let labels: [Int32] = [0, 0, 0, 1, 1, 1]
        let error = #expect(throws: DataError.self) {
            try Partition.dirichlet(labels: labels, classCount: 2, clients: 6, alpha: 1e-4, seed: 0, maxAttempts: 3)
        }
        guard case .emptyClient(_, let count, let name) = error else {
            Issue.record("expected emptyClient, got \(String(describing: error))")
            return
        }
        #expect(count == 6 && name.hasSuffix("after 3 draws"))
        let relaxed = try Partition.dirichlet(labels: labels, classCount: 2, clients: 2, alpha: 1, seed: 0)
        Self.expectEverySampleOnce(relaxed, sampleCount: 6)
    }

    @Test func clientDatasetsHoldTheAssignedRows() throws {
        let features = (0..<12).map(Float.init)
        let dataset = try Dataset(features: features, labels: [0, 1, 0, 1, 0, 1], classCount: 2, featureShape: [2], name: "toy")
        let partition = try Partition(clients: [[4, 1], [0, 2, 3, 5]], sampleCount: 6, name: "manual")
        let clients = try partition.clientDatasets(of: dataset)
        #expect(clients[0].features == [2, 3, 8, 9] && clients[0].labels == [1, 0])
        #expect(clients[1].count == 4 && clients[1].name == "toy/client1")
        #expect(try partition.labelHistograms(of: dataset) == [[1, 1], [2, 2]])
    }
}
