import HiSoFederation
import HiSoKernels
import HiSoOptim

extension TaskCatalog {
    /// The quadratic task: HiSoOptim's `QuadraticProblem` (seeded by the data seed) shared by
    /// `clients` clients with per-client gradient noise.
    ///
    /// - Throws: ``CatalogError/invalidSetting(task:setting:value:expected:)`` for a bad dimension,
    ///   spectrum parameter or noise; ``CatalogError/buildFailed(task:reason:)`` if the problem
    ///   cannot be built.
    /// - Complexity: O(d) diagonal, O(d^3) rotated (the QR). Memory: see `QuadraticProblem`.
    func quadratic(_ spec: TaskSpecification, clients: Int, backend: any KernelBackend) throws(CatalogError) -> any FederatedTask {
        guard spec.dimension >= 1 else {
            throw .invalidSetting(task: spec.name, setting: "dimension", value: "\(spec.dimension)", expected: "at least 1")
        }
        let p = Float(spec.spectrumParameter)
        let spectrum: QuadraticProblem.Spectrum
        switch spec.spectrum {
        case .flat:
            spectrum = .flat
        case .logNormal:
            guard p.isFinite, p >= 0 else { throw .invalidSetting(task: spec.name, setting: "log-normal sigma", value: "\(p)", expected: "a finite number >= 0") }
            spectrum = .logNormal(sigma: p)
        case .powerLaw:
            guard p.isFinite, p >= 0 else { throw .invalidSetting(task: spec.name, setting: "power-law exponent", value: "\(p)", expected: "a finite number >= 0") }
            spectrum = .powerLaw(exponent: p)
        case .spiked:
            guard p.isFinite, p >= 1 else { throw .invalidSetting(task: spec.name, setting: "spike height", value: "\(p)", expected: "a finite number >= 1") }
            guard spec.spikeRank >= 1, spec.spikeRank <= spec.dimension else {
                throw .invalidSetting(task: spec.name, setting: "spike rank", value: "\(spec.spikeRank)", expected: "1...\(spec.dimension)")
            }
            spectrum = .spikedLowRank(rank: spec.spikeRank, spike: p)
        }
        let specification = QuadraticProblem.Specification(
            dimension: spec.dimension, spectrum: spectrum, basis: spec.rotated ? .rotated : .diagonal, seed: spec.dataSeed)
        let problem: QuadraticProblem
        do {
            problem = try QuadraticProblem(specification, backend: backend)
        } catch {
            throw .buildFailed(task: spec.name, reason: "\(error)")
        }
        do {
            return try QuadraticTask(problem: problem, clients: clients, noiseScale: Float(spec.noise), backend: backend)
        } catch {
            throw .invalidSetting(task: spec.name, setting: "noise", value: "\(spec.noise)", expected: "a finite number >= 0 (\(error.description))")
        }
    }
}
