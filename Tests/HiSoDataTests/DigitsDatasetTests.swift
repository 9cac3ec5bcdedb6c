import Foundation
import Testing
@testable import HiSoData

/// The bundled scikit-learn digits and its seeded stratified, standardised split.
@Suite struct DigitsDatasetTests {
    @Test func rawBundledSet() throws {
        let digits = try DigitsDataset.raw()
        #expect(digits.count == 1797)
        #expect(digits.featureCount == 64 && digits.classCount == 10)
        #expect(digits.classHistogram() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        #expect(digits.features.min() == 0 && digits.features.max() == 16)
        #expect(digits.features.allSatisfy { $0 == $0.rounded() })
        #expect(Array(digits.features(ofSample: 0).prefix(8)) == [0, 0, 5, 13, 9, 1, 0, 0])
        #expect(digits.labels[0] == 0 && digits.labels[1796] == 8)
    }

    @Test func builtInSplitIsStratifiedAndStandardised() throws {
        let split = try DigitsDataset.builtIn(seed: 7)
        #expect(split.train.count == 1437 && split.test.count == 360)
        let all = try DigitsDataset.raw().classHistogram()
        let test = split.test.classHistogram()
        let train = split.train.classHistogram()
        for c in 0..<10 {
            #expect(train[c] + test[c] == all[c])
            #expect(abs(Double(test[c]) - 0.2 * Double(all[c])) <= 1, "class \(c): \(test[c]) of \(all[c])")
        }
        let (mean, std) = split.train.featureMoments()
        for j in 0..<64 {
            #expect(abs(mean[j]) < 1e-5, "train mean of feature \(j) = \(mean[j])")
            #expect(abs(std[j] - 1) < 1e-4 || std[j] == 0, "train std of feature \(j) = \(std[j])")
        }
        #expect(std[0] == 0)
    }

    @Test func builtInSplitDependsOnlyOnSeed() throws {
        let a = try DigitsDataset.builtIn(seed: 3)
        let b = try DigitsDataset.builtIn(seed: 3)
        let c = try DigitsDataset.builtIn(seed: 4)
        #expect(a == b)
        #expect(a.test.labels != c.test.labels || a.test.features != c.test.features)
    }

    @Test func stratifiedSplitRejectsBadFractions() throws {
        let labels: [Int32] = [0, 1, 0, 1]
        for fraction in [0.0, 1.0, -0.5, 0.99] {
            #expect(throws: DataError.self) {
                try DigitsDataset.stratifiedSplit(labels: labels, classCount: 2, testFraction: fraction, seed: 0)
            }
        }
        let half = try DigitsDataset.stratifiedSplit(labels: labels, classCount: 2, testFraction: 0.5, seed: 0)
        #expect(half.test.count == 2 && half.train.count == 2)
    }
}
