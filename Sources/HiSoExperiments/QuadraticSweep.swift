import Foundation
import HiSoFederation
import HiSoKernels
import HiSoOptim

/// The quadratic lab's sweep: every combination of dimension, spectrum, scaling, basis
/// and tolerance is a *cell*; every (cell, method) is a *unit*, one ``QuadraticExperiment/row(spectrum:method:configuration:backend:progress:)``
/// (rate scan on tuning seeds, then the reported seeds), written as one JSON file so that an
/// interrupted sweep resumes unit by unit.
///
/// Units run in priority order (``cells``): diagonal `d = 1000` (the headline comparison), diagonal
/// `d = 100`, rotated `d = 100`, rotated `d = 1000`, then the rest by dimension. Power-law
/// spectra already have `max λ = 1`, so their unscaled cell is the scaled one and is not planned
/// twice. The round budget grows with `d`: `max(maxRounds, maxRounds · d / 1000)`.
public struct QuadraticSweep: Sendable {
    /// A named spectrum of the sweep.
    public enum SpectrumName: String, Sendable, Codable, CaseIterable {
        /// Log-normal, `sigma = 1`.
        case logNormal = "log-normal"
        /// Power law, exponent 1.
        case powerLaw1 = "power-law-1"
        /// Power law, exponent 2.
        case powerLaw2 = "power-law-2"
        /// 10 eigenvalues at 100 on the identity.
        case spiked

        /// The spectrum it names.
        public var spectrum: QuadraticProblem.Spectrum {
            switch self {
            case .logNormal: return .logNormal(sigma: 1)
            case .powerLaw1: return .powerLaw(exponent: 1)
            case .powerLaw2: return .powerLaw(exponent: 2)
            case .spiked: return .spikedLowRank(rank: 10, spike: 100)
            }
        }

        /// Whether scaling to `max λ = 1` changes the problem.
        var scalingMatters: Bool { self == .logNormal || self == .spiked }
    }

    /// One cell: the problem family and the tolerance.
    public struct Cell: Sendable, Codable, Equatable, Hashable {
        /// `d`.
        public var dimension: Int
        /// The spectrum.
        public var spectrum: SpectrumName
        /// Scaled to `max λ = 1`.
        public var normalized: Bool
        /// Diagonal or rotated `A`.
        public var basis: QuadraticProblem.Basis
        /// The target fraction of the initial suboptimality.
        public var target: Double

        /// A file-name-safe key, e.g. `d1000-diagonal-scaled-log-normal-tol0.01`.
        public var key: String {
            "d\(dimension)-\(basis.rawValue)-\(normalized ? "scaled" : "unscaled")-\(spectrum.rawValue)-tol\(target)"
        }
    }

    /// One unit: a cell and a method.
    public struct Unit: Sendable, Equatable {
        /// The cell.
        public var cell: Cell
        /// The method.
        public var method: QuadraticExperiment.Method
        /// The file name of its result.
        public var fileName: String { "\(cell.key)-\(method.rawValue).json" }
    }

    /// What one unit's file holds.
    public struct UnitResult: Sendable, Codable, Equatable {
        /// The cell.
        public var cell: Cell
        /// The full configuration the row ran with.
        public var configuration: QuadraticExperiment.Configuration
        /// The row.
        public var row: QuadraticExperiment.Row
    }

    /// The base configuration (seeds, `P`, `mu`, grid, budget, rule parameters); each unit sets
    /// its dimension, spectrum, basis, scaling, target and method on a copy.
    public var base: QuadraticExperiment.Configuration
    /// The dimensions.
    public var dimensions: [Int]
    /// The spectra.
    public var spectra: [SpectrumName]
    /// The scalings (`true` = scaled to `max λ = 1`).
    public var scalings: [Bool]
    /// The bases.
    public var bases: [QuadraticProblem.Basis]
    /// The tolerances.
    public var targets: [Double]
    /// The methods.
    public var methods: [QuadraticExperiment.Method]
    /// Cells left out of the plan on purpose (key prefix `d<d>-<basis>`), with the reason.
    public var excluded: [String: String]

    /// The full sweep: `d` in {100, 1000, 10000}, four spectra, scaled and unscaled, diagonal
    /// and rotated, tolerances 1e-2 and 1e-3, five methods; `d = 10000` rotated is excluded (a
    /// 400 MB rotation and a 10^8-flop GEMV per loss evaluation).
    public init(base: QuadraticExperiment.Configuration = .init()) {
        self.base = base
        dimensions = [100, 1000, 10000]
        spectra = SpectrumName.allCases
        scalings = [true, false]
        bases = QuadraticProblem.Basis.allCases
        targets = [1e-2, 1e-3]
        methods = [.decomfl, .hisoPeer, .hisoPaper, .hisoCurv, .oracle]
        excluded = ["d10000-rotated": "a 10^4 x 10^4 rotation is 400 MB and every loss is a 10^8-flop GEMV"]
    }

    /// The cells in priority order (see the type's summary).
    public var cells: [Cell] {
        var out: [Cell] = []
        for basis in bases {
            for d in dimensions where excluded["d\(d)-\(basis.rawValue)"] == nil {
                for target in targets {
                    for spectrum in spectra {
                        for normalized in scalings where normalized || spectrum.scalingMatters {
                            out.append(Cell(dimension: d, spectrum: spectrum, normalized: normalized, basis: basis, target: target))
                        }
                    }
                }
            }
        }
        func rank(_ c: Cell) -> Int {
            switch (c.basis, c.dimension) {
            case (.diagonal, 1000): return 0
            case (.diagonal, 100): return 1
            case (.rotated, 100): return 2
            case (.rotated, 1000): return 3
            default: return 4 + c.dimension
            }
        }
        return out.enumerated().sorted { a, b in
            (rank(a.element), a.offset) < (rank(b.element), b.offset)
        }.map(\.element)
    }

    /// Every unit, cell-major, in ``cells`` order.
    public var units: [Unit] {
        cells.flatMap { cell in methods.map { Unit(cell: cell, method: $0) } }
    }

    /// The configuration of a unit.
    public func configuration(_ unit: Unit) -> QuadraticExperiment.Configuration {
        var c = base
        c.dimension = unit.cell.dimension
        c.spectra = [unit.cell.spectrum.spectrum]
        c.basis = unit.cell.basis
        c.normalized = unit.cell.normalized
        c.target = unit.cell.target
        c.methods = [unit.method]
        c.maxRounds = max(base.maxRounds, base.maxRounds * unit.cell.dimension / 1000)
        return c
    }

    /// Runs a unit.
    ///
    /// - Throws: `OptimError` for an invalid configuration.
    public func run(
        _ unit: Unit, backend: any KernelBackend, progress: (QuadraticExperiment.Run) -> Void = { _ in }
    ) throws(OptimError) -> UnitResult {
        let c = configuration(unit)
        let row = try QuadraticExperiment.row(
            spectrum: unit.cell.spectrum.spectrum, method: unit.method, configuration: c, backend: backend, progress: progress)
        return UnitResult(cell: unit.cell, configuration: c, row: row)
    }

    /// The result of `unit` already in `directory`, when it was written with the same
    /// configuration (else `nil`: the unit must run).
    public func finished(_ unit: Unit, in directory: URL) -> UnitResult? {
        let url = directory.appendingPathComponent(unit.fileName)
        guard let data = try? Data(contentsOf: url),
            let result = try? JSONDecoder().decode(UnitResult.self, from: data),
            result.configuration == configuration(unit), result.cell == unit.cell
        else { return nil }
        return result
    }

    /// Writes a unit's result atomically into `directory`.
    ///
    /// - Throws: `ReportError` when encoding or writing fails.
    public static func write(_ result: UnitResult, unit: Unit, to directory: URL) throws(ReportError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(result)
        } catch {
            throw .invalidInput(what: unit.fileName, reason: "cannot encode: \(error)")
        }
        try AtomicFile.write(data, to: directory.appendingPathComponent(unit.fileName))
    }
}
