import Synchronization

extension SwiftGEMM {
    /// One 64-byte-aligned packing buffer, kept across calls.
    ///
    /// `@unchecked Sendable`: a workspace is owned by exactly one GEMM call between leaving and
    /// re-entering ``pool`` (the mutex hands it over).
    struct Workspace: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let bytes: Int
    }

    /// Idle workspaces. A call takes the first one that is large enough (or frees one smaller
    /// one and allocates its own) and returns it when done, so steady-state calls allocate
    /// nothing. Memory: at most one workspace per concurrently running GEMM call, each at most
    /// `4 kc nc + 16 mc kc * threads` bytes (about 2 MiB + 384 KiB per thread), held until
    /// the process ends.
    static let pool = Mutex<[Workspace]>([])

    /// Runs `body` with a workspace of at least `bytes` bytes (64-byte aligned).
    static func withWorkspace<R>(bytes: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R {
        // An index loop, not `firstIndex(where:)`: the unspecialised generic search heap-allocates
        // per call in debug builds, and this runs per GEMM call.
        let found = pool.withLock { idle -> Workspace? in
            for index in idle.indices where idle[index].bytes >= bytes { return idle.remove(at: index) }
            return nil
        }
        let workspace: Workspace
        if let found {
            workspace = found
        } else {
            pool.withLock { $0.popLast() }?.base.deallocate()
            workspace = Workspace(base: .allocate(byteCount: bytes, alignment: 64), bytes: bytes)
        }
        defer { pool.withLock { $0.append(workspace) } }
        return body(workspace.base)
    }
}
