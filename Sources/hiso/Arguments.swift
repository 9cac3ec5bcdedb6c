import ArgumentParser
import HiSoData
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoOptim
import HiSoTransformer

// Every enumerated setting is typed on the command line by its own raw value, the same
// spelling its `Codable` form uses, so a flag, a config-file key and a written configuration
// agree by construction.
extension TaskName: ExpressibleByArgument {}
extension ComparedMethod: ExpressibleByArgument {}
extension DifferenceScheme: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
extension AggregatorKind: ExpressibleByArgument {}
extension AttackKind: ExpressibleByArgument {}
extension HiSoPreconditioner.StepChoice: ExpressibleByArgument {}
extension SyncMode: ExpressibleByArgument {}
extension BackendKind: ExpressibleByArgument {}
extension TaskSpecification.PartitionKind: ExpressibleByArgument {}
extension TaskSpecification.SpectrumKind: ExpressibleByArgument {}
extension DigitsDataset.ReferencePartition: ExpressibleByArgument {}

extension TrainableSubset: ExpressibleByArgument {
    /// `head`, `last-K`, `non-embedding`, `all`, `lora-R` or `lora-R-ALPHA`.
    public init?(argument: String) {
        guard let subset = try? TrainableSubset(parsing: argument) else { return nil }
        self = subset
    }
}

/// The quadratic task's basis: `diagonal` (`A = diag(lambda)`) or `rotated` (`A = Q diag(lambda) Q^T`).
enum QuadraticBasis: String, CaseIterable, ExpressibleByArgument {
    case diagonal
    case rotated
}

/// A comma-separated list of typed values (`--methods decomfl,hiso`, `--lr 0.01,0.03`): each
/// element parses as `Element`, repeats are dropped, order is kept.
struct CommaList<Element: ExpressibleByArgument & Equatable>: ExpressibleByArgument, Equatable {
    /// The elements, without repeats.
    var values: [Element]

    init(_ values: [Element]) { self.values = values }

    init?(argument: String) {
        var values: [Element] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Element(argument: String(part).trimmed) else { return nil }
            if !values.contains(value) { values.append(value) }
        }
        self.values = values
    }

    static var allValueStrings: [String] { Element.allValueStrings }

    var defaultValueDescription: String { values.map(\.defaultValueDescription).joined(separator: ",") }
}

/// Range checks declared with each numeric flag (`@Option(transform:)`): a value outside the
/// range is a parse error naming the flag, the value and the expected range ("The value '-1' is
/// invalid for '--mu <mu>': expected a positive number").
enum Checked {
    /// A whole number in `range`.
    static func int(_ range: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
        { text in
            guard let value = Int(text.trimmed), range.contains(value) else {
                throw ValidationError("expected \(describe(range))")
            }
            return value
        }
    }

    /// A finite number satisfying `check`, described as `expected`.
    static func double(_ expected: String, _ check: @escaping @Sendable (Double) -> Bool) -> @Sendable (String) throws -> Double {
        { text in
            guard let value = Double(text.trimmed), value.isFinite, check(value) else {
                throw ValidationError("expected \(expected)")
            }
            return value
        }
    }

    /// A comma list of finite numbers satisfying `check`, without repeats.
    static func doubles(_ expected: String, _ check: @escaping @Sendable (Double) -> Bool) -> @Sendable (String) throws -> [Double] {
        { text in
            var values: [Double] = []
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let value = Double(String(part).trimmed), value.isFinite, check(value) else {
                    throw ValidationError("expected a comma list of \(expected)")
                }
                if !values.contains(value) { values.append(value) }
            }
            return values
        }
    }

    /// "a whole number from 1 to 8", ">= 1", ...
    static func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound, range.upperBound) {
        case (Int.min, Int.max): return "a whole number"
        case (let lo, Int.max): return "a whole number >= \(lo)"
        case (Int.min, let hi): return "a whole number <= \(hi)"
        case (let lo, let hi): return "a whole number from \(lo) to \(hi)"
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
