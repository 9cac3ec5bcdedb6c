/// Entry point for choosing a kernel backend at run time.
public enum Kernels {
    /// The backends compiled into this build, fastest first.
    public static var compiledBackends: [BackendKind] {
        #if OpenBLAS
        return [.openblas, .swift]
        #else
        return [.swift]
        #endif
    }

    /// The fastest backend compiled in.
    public static var defaultKind: BackendKind { compiledBackends[0] }

    /// Makes a backend.
    ///
    /// - Parameters:
    ///   - kind: the backend, or `nil` for ``defaultKind``.
    ///   - threads: the thread count for the fused kernels and the Swift GEMM; at least 1. Neither
    ///     changes a bit with it.
    ///   - threadedGEMM: let OpenBLAS's GEMM use `threads` threads too, whose results may differ
    ///     in the last bits between thread counts (``OpenBLASBackend/threadedGEMM``); the Swift
    ///     backend ignores it.
    /// - Throws: ``KernelError/backendNotCompiled(_:)`` when `kind` is not in this build,
    ///   ``KernelError/invalidThreadCount(_:)`` when `threads < 1`.
    public static func backend(
        _ kind: BackendKind? = nil, threads: Int = 1, threadedGEMM: Bool = false
    ) throws(KernelError) -> any KernelBackend {
        guard threads >= 1 else { throw .invalidThreadCount(threads) }
        switch kind ?? defaultKind {
        case .swift:
            return SwiftBackend(threads: threads)
        case .openblas:
            #if OpenBLAS
            return OpenBLASBackend(threads: threads, threadedGEMM: threadedGEMM)
            #else
            throw .backendNotCompiled(.openblas)
            #endif
        }
    }
}

/// Errors from choosing or configuring a backend.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    /// The backend was not compiled in (for `openblas`: the `OpenBLAS` trait is off).
    case backendNotCompiled(BackendKind)
    /// The thread count must be at least 1.
    case invalidThreadCount(Int)

    public var description: String {
        switch self {
        case .backendNotCompiled(let kind):
            return "backend '\(kind)' is not compiled into this build (build with the default traits to get OpenBLAS)"
        case .invalidThreadCount(let n):
            return "thread count must be at least 1, found \(n)"
        }
    }
}
