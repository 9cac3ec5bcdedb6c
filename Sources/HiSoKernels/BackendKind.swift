/// The kernel backends that HiSo can be built with.
///
/// - ``openblas``: OpenBLAS (CBLAS) for GEMM and friends, AVX2 C kernels (with a run-time CPU
///   check) for the perturbation stream. Compiled only when the `OpenBLAS` package trait is on.
/// - ``swift``: pure Swift, no C at all. Always compiled.
///
/// Both backends produce the same perturbation-stream bits and the same elementwise-kernel bits.
public enum BackendKind: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case openblas
    case swift

    public var description: String { rawValue }
}
