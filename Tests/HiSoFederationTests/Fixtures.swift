import HiSoExperiments
import HiSoFederation
import HiSoKernels
import HiSoOptim

/// Small, fast tasks and configurations shared by the federation tests.
enum Fixtures {
    /// A diagonal log-normal quadratic with per-client noise.
    static func quadratic(
        dimension: Int = 40, clients: Int = 6, noise: Float = 0.05, backend: BackendKind? = nil
    ) throws -> QuadraticTask {
        let kernels = try Kernels.backend(backend)
        let problem = try QuadraticProblem(
            .init(dimension: dimension, spectrum: .logNormal(sigma: 1), seed: 7), backend: kernels)
        return try QuadraticTask(problem: problem, clients: clients, noiseScale: noise, backend: kernels)
    }

    /// A scalar-only configuration on `clients` clients.
    static func configuration(
        method: FederatedMethod = .decomfl, clients: Int = 6, sampled: Int = 3, localSteps: Int = 1,
        rounds: Int = 40, learningRate: Float = 0.05
    ) -> RunConfiguration {
        var c = RunConfiguration()
        c.method = method
        c.clients = clients
        c.sampledClients = sampled
        c.localSteps = localSteps
        c.perturbations = 5
        c.mu = 1e-3
        c.learningRate = learningRate
        c.rounds = rounds
        c.evaluateEvery = 10
        c.seed = 11
        return c
    }

    /// Bitwise equality of two float arrays (NaN payloads included).
    static func bitwiseEqual(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    /// Whether two curves agree in every field but the wall time.
    static func sameMetrics(_ a: [CurvePoint], _ b: [CurvePoint]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.hasSameMetrics(as: $1) }
    }
}
