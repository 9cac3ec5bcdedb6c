/// The JSON form of a comparison summary (the `hiso compare --json` schema):
///
/// ```json
/// {"targets": [0.7, 0.8, 0.9], "baseline": "decomfl",
///  "methods": [{"method": "hiso", "learning_rate": 0.01, "seeds": [0, 1, 2],
///               "median_rounds_to": {"0.7": 150, "0.8": 200, "0.9": null},
///               "min_rounds_to": {...}, "max_rounds_to": {...}, "reached_seeds": {...},
///               "median_bytes_to": {...}, "speedup_vs_baseline": {...},
///               "final_accuracy": 0.93, "final_accuracy_min": 0.92, "final_accuracy_max": 0.94,
///               "bytes_per_round": 100, "ms_per_round": 0.4, "rounds": 1500,
///               "incomplete": [], "lr_grid": [{"learning_rate": 0.01, "median_rounds_to": {...},
///                                              "median_final_accuracy": 0.93, "selected": true}]}]}
/// ```
///
/// Map keys are the targets written as decimal numbers (`"0.7"`); a value is null when not
/// reached (see ``ComparisonSummary``'s rules). Non-finite numbers are written as null.
extension ComparisonSummary: Encodable {
    private enum Keys: String, CodingKey {
        case targets, baseline, methods
        case baselineLearningRate = "baseline_learning_rate"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(targets, forKey: .targets)
        try c.encode(baseline, forKey: .baseline)
        try c.encode(baselineLearningRate, forKey: .baselineLearningRate)
        try c.encode(methods, forKey: .methods)
    }

    /// The JSON map key of a target accuracy, its shortest decimal form (`0.7` -> `"0.7"`).
    public static func key(_ target: Double) -> String { String(describing: target) }
}

extension ComparisonSummary.MethodResult: Encodable {
    private enum Keys: String, CodingKey {
        case method, seeds, rounds, incomplete
        case learningRate = "learning_rate"
        case medianRoundsTo = "median_rounds_to"
        case minRoundsTo = "min_rounds_to"
        case maxRoundsTo = "max_rounds_to"
        case reachedSeeds = "reached_seeds"
        case medianBytesTo = "median_bytes_to"
        case speedup = "speedup_vs_baseline"
        case sameRateSpeedup = "same_rate_speedup_vs_baseline"
        case finalAccuracy = "final_accuracy"
        case finalAccuracyMin = "final_accuracy_min"
        case finalAccuracyMax = "final_accuracy_max"
        case bytesPerRound = "bytes_per_round"
        case msPerRound = "ms_per_round"
        case grid = "lr_grid"
        case selectionSplit = "lr_selection_split"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        func map<T: Encodable>(_ value: (ComparisonSummary.TargetResult) -> T?) -> [String: T?] {
            Dictionary(uniqueKeysWithValues: targets.map { (ComparisonSummary.key($0.target), value($0)) })
        }
        try c.encode(method, forKey: .method)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(selectionSplit, forKey: .selectionSplit)
        try c.encode(seeds, forKey: .seeds)
        try c.encode(map { $0.medianRounds }, forKey: .medianRoundsTo)
        try c.encode(map { $0.minRounds }, forKey: .minRoundsTo)
        try c.encode(map { $0.maxRounds }, forKey: .maxRoundsTo)
        try c.encode(map { $0.reachedSeeds }, forKey: .reachedSeeds)
        try c.encode(map { $0.medianBytes }, forKey: .medianBytesTo)
        try c.encode(map { $0.speedup }, forKey: .speedup)
        try c.encode(map { $0.sameRateSpeedup }, forKey: .sameRateSpeedup)
        try c.encode(finalAccuracy.finiteOrNil, forKey: .finalAccuracy)
        try c.encode(finalAccuracyMin.finiteOrNil, forKey: .finalAccuracyMin)
        try c.encode(finalAccuracyMax.finiteOrNil, forKey: .finalAccuracyMax)
        try c.encode(bytesPerRound.finiteOrNil, forKey: .bytesPerRound)
        try c.encode(millisecondsPerRound.finiteOrNil, forKey: .msPerRound)
        try c.encode(rounds, forKey: .rounds)
        try c.encode(incomplete, forKey: .incomplete)
        try c.encode(grid.map { GridEntry(candidate: $0, targets: targets.map(\.target)) }, forKey: .grid)
    }

    /// One learning-rate candidate in JSON form.
    private struct GridEntry: Encodable {
        let candidate: ComparisonSummary.LearningRateCandidate
        let targets: [Double]

        private enum Keys: String, CodingKey {
            case selected
            case learningRate = "learning_rate"
            case medianRoundsTo = "median_rounds_to"
            case medianFinalAccuracy = "median_final_accuracy"
            case divergedSeeds = "diverged_seeds"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(candidate.learningRate, forKey: .learningRate)
            try c.encode(
                Dictionary(uniqueKeysWithValues: zip(targets, candidate.medianRounds).map { (ComparisonSummary.key($0.0), $0.1) }),
                forKey: .medianRoundsTo)
            try c.encode(candidate.medianFinalAccuracy.finiteOrNil, forKey: .medianFinalAccuracy)
            try c.encode(candidate.divergedSeeds, forKey: .divergedSeeds)
            try c.encode(candidate.selected, forKey: .selected)
        }
    }
}

extension Double {
    /// The value when finite, nil otherwise (JSON null instead of a non-number).
    var finiteOrNil: Double? { isFinite ? self : nil }
}
