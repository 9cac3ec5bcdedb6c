import HiSoKernels
import HiSoOptim

/// Shared fixtures of the HiSoOptim tests.
enum OptimTestFixtures {
    /// Every backend compiled into this build.
    static var backends: [any KernelBackend] {
        Kernels.compiledBackends.map { try! Kernels.backend($0, threads: 1) }
    }

    /// The Swift backend (always compiled).
    static var swift: any KernelBackend { try! Kernels.backend(.swift, threads: 1) }

    /// `z(seed, stream)[0 ..< count]`.
    static func normals(_ count: Int, seed: UInt64, stream: UInt64, backend: any KernelBackend) -> [Float] {
        var z = [Float](repeating: 0, count: count)
        z.withUnsafeMutableBufferPointer { backend.fillNormal($0, seed: seed, stream: stream, offset: 0) }
        return z
    }

    /// A small diagonal quadratic.
    static func quadratic(
        _ d: Int, spectrum: QuadraticProblem.Spectrum = .logNormal(sigma: 1), basis: QuadraticProblem.Basis = .diagonal,
        seed: UInt64 = 7, backend: any KernelBackend
    ) -> QuadraticProblem {
        try! QuadraticProblem(.init(dimension: d, spectrum: spectrum, basis: basis, seed: seed), backend: backend)
    }

    /// Cosine similarity in `Double`.
    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for i in a.indices {
            ab += Double(a[i]) * Double(b[i])
            aa += Double(a[i]) * Double(a[i])
            bb += Double(b[i]) * Double(b[i])
        }
        return ab / (aa * bb).squareRoot()
    }
}
