/// The pure-Swift backend: no C at all, builds and runs anywhere.
///
/// Its perturbation stream and elementwise kernels give the same bits as ``OpenBLASBackend``.
public struct SwiftBackend: KernelBackend {
    public let threads: Int
    public var kind: BackendKind { .swift }

    /// - Parameter threads: thread count for the fused kernels; values below 1 are treated as 1.
    public init(threads: Int = 1) { self.threads = max(1, threads) }
}
