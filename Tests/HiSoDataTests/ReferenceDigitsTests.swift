import Foundation
import Testing
@testable import HiSoData

/// The peer's reference digits data and partitions in Data/digits-reference.
@Suite(
    .enabled(
        if: DataTestPaths.hasReferenceDigits,
        "the peer's reference digits are absent (expected Data/digits-reference in the package)"))
struct ReferenceDigitsTests {
    let directory = DataTestPaths.referenceDigits

    @Test func trainAndTestFiles() throws {
        let split = try DigitsDataset.reference(directory: directory)
        #expect(split.train.count == 1437 && split.test.count == 360)
        #expect(split.train.featureCount == 64 && split.test.featureShape == [64])
        #expect(split.train.labels[0] == 3)
        let train = split.train.classHistogram()
        let test = split.test.classHistogram()
        let all = try DigitsDataset.raw().classHistogram()
        #expect(zip(train, test).map { $0 + $1 } == all)
        let (mean, std) = split.train.featureMoments()
        #expect(mean.allSatisfy { abs($0) < 1e-5 })
        #expect(std.allSatisfy { abs($0 - 1) < 1e-4 || $0 == 0 })
    }

    @Test func iidPartitionCoversEveryRowOnce() throws {
        let partition = try DigitsDataset.referencePartition(.iid, directory: directory)
        #expect(partition.clientCount == 8)
        #expect(partition.sizes == [180, 180, 180, 180, 180, 179, 179, 179])
        #expect(partition.assignedCount == 1437 && partition.unassigned.isEmpty)
        #expect(Set(partition.clients.joined()).count == 1437)
    }

    @Test func dirichletPartitionIsThePeersBalancedSplit() throws {
        let split = try DigitsDataset.reference(directory: directory)
        let partition = try DigitsDataset.referencePartition(.dirichlet0_5, directory: directory)
        #expect(partition.clientCount == 8)
        #expect(partition.sizes == [Int](repeating: 179, count: 8))
        #expect(Set(partition.clients.joined()).count == 1432)
        #expect(partition.unassigned.count == 1437 % 8)
        let histograms = try partition.labelHistograms(of: split.train)
        #expect(histograms.map { $0.reduce(0, +) } == partition.sizes)
        let iid = try DigitsDataset.referencePartition(.iid, directory: directory)
        let skewed = partition.meanLabelEntropy(labels: split.train.labels, classCount: 10)
        let balanced = iid.meanLabelEntropy(labels: split.train.labels, classCount: 10)
        #expect(balanced > 2.2 && skewed < balanced - 0.5, "entropy iid \(balanced) vs dir0.5 \(skewed)")
    }

    /// Our reading of the peer's `dirichlet_split` reproduces its skew: the reference dir0.5
    /// file's mean label entropy lies inside the range of our peer variant over 20 seeds, and
    /// below every standard Dir(0.5) split of the same labels.
    @Test func peerVariantMatchesTheReferenceSkew() throws {
        let labels = try DigitsDataset.reference(directory: directory).train.labels
        let reference = try DigitsDataset.referencePartition(.dirichlet0_5, directory: directory)
            .meanLabelEntropy(labels: labels, classCount: 10)
        var peer: [Double] = []
        var standard: [Double] = []
        for seed in 0..<20 as Range<UInt64> {
            peer.append(try Partition.peerDirichlet(labels: labels, classCount: 10, clients: 8, alpha: 0.5, seed: seed)
                .meanLabelEntropy(labels: labels, classCount: 10))
            standard.append(try Partition.dirichlet(labels: labels, classCount: 10, clients: 8, alpha: 0.5, seed: seed)
                .meanLabelEntropy(labels: labels, classCount: 10))
        }
        let peerRange = (peer.min() ?? 0)...(peer.max() ?? 0)
        #expect(peerRange.contains(reference), "reference \(reference) vs our peer variant \(peerRange)")
        #expect(reference < (standard.min() ?? 0), "reference \(reference) vs standard Dir(0.5) \(standard.min() ?? 0)")
    }

    @Test func partitionOfTheWrongDatasetIsRejected() throws {
        let partition = try DigitsDataset.referencePartition(.iid, directory: directory)
        let test = try DigitsDataset.reference(directory: directory).test
        #expect(throws: DataError.dimensionMismatch(
            what: "samples of digits-reference/test vs partition '\(partition.name)'", expected: 1437, found: 360)) {
            try partition.clientDatasets(of: test)
        }
        #expect(throws: DataError.self) {
            try DigitsDataset.referencePartition(.iid, directory: directory, sampleCount: 1000)
        }
    }
}
