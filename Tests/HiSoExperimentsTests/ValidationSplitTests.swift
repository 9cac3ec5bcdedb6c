import HiSoData
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import Testing

@Suite("Validation split held out from the training data")
struct ValidationSplitTests {
    /// The digits task with `validationCount` rows held out: the clients' rows and the validation
    /// rows are disjoint and together are the training set, and every evaluation reports the
    /// validation split beside the test set.
    @Test("held-out rows are disjoint from the clients' rows and evaluated as validation")
    func heldOut() throws {
        var spec = TaskSpecification(name: .digits)
        spec.validationCount = 200
        let catalog = TaskCatalog()
        let task = try #require(try catalog.makeTask(spec, clients: 4, localSteps: 1, backend: Kernels.backend()) as? ClassificationTask)
        let full = try DigitsDataset.builtIn(seed: spec.dataSeed).train
        let validation = try #require(task.validation)
        #expect(validation.count >= 200 && validation.count < 220)
        #expect(task.train.count + validation.count == full.count)
        #expect(task.partition.clients.map(\.count).reduce(0, +) == task.train.count)
        // Disjoint: every training row of the full set appears exactly once in one of the two.
        func rows(_ d: Dataset) -> [[Float]] {
            (0..<d.count).map { Array(d.features[($0 * d.featureCount)..<(($0 + 1) * d.featureCount)]) + [Float(d.labels[$0])] }
        }
        let combined = (rows(task.train) + rows(validation)).map { $0.map(\.bitPattern) }
        #expect(Set(combined).count == Set(rows(full).map { $0.map(\.bitPattern) }).count)
        let x = [Float](repeating: 0.01, count: task.parameterCount)
        let evaluation = try x.withUnsafeBufferPointer { try task.evaluate(at: $0) }
        #expect(evaluation.validationAccuracy != nil && evaluation.validationLoss != nil)
        spec.validationCount = full.count
        #expect(throws: CatalogError.self) { try catalog.makeTask(spec, clients: 4, localSteps: 1, backend: Kernels.backend()) }
    }

    /// With validation accuracies in every run, the rate is chosen on them, not on the test
    /// accuracy, and the summary says so.
    @Test("the learning rate is chosen on the validation split when the runs carry one")
    func selectionReadsValidation() throws {
        func curve(_ lr: Double, test: [Double], validation: [Double]) -> ReportCurve {
            let points = zip(test, validation).enumerated().map { i, pair in
                CurvePoint(
                    round: 100 * i, testAccuracy: pair.0, testLoss: 1, trainLoss: 1, bytesUp: 0, bytesDown: 0, wallSeconds: 0,
                    validationAccuracy: pair.1, validationLoss: 1)
            }
            return ReportCurve(
                method: "m", learningRate: lr, seed: 0, points: points, roundsCompleted: 100 * (points.count - 1),
                trainingSeconds: 0, status: .completed)
        }
        // On the test set 0.1 is faster; on the validation split 0.01 is.
        let curves = [
            curve(0.1, test: [0.1, 0.9, 0.9], validation: [0.1, 0.5, 0.9]),
            curve(0.01, test: [0.1, 0.5, 0.9], validation: [0.1, 0.9, 0.9]),
        ]
        let summary = try ComparisonSummary(curves: curves, targets: [0.9])
        #expect(summary.methods[0].learningRate == 0.01)
        #expect(summary.methods[0].selectionSplit == "validation")
        // The reported rounds stay on the test set.
        #expect(summary.methods[0].targets[0].medianRounds == 200)
        let testOnly = try ComparisonSummary(
            curves: curves.map { c in var c = c; c.points = c.points.map { var p = $0; p.validationAccuracy = nil; return p }; return c },
            targets: [0.9])
        #expect(testOnly.methods[0].learningRate == 0.1 && testOnly.methods[0].selectionSplit == "test")
    }
}
