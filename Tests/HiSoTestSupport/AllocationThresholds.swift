import Foundation

/// The allocation figures committed in `Benchmarks/Thresholds/allocations.json`, which the
/// allocation tests (glibc malloc hooks, see ``MallocCounter``) hold every build to: a figure
/// above its threshold fails the suite, hence CI.
///
/// - ``perCall``: allocator calls of one call of a hot-path operation (a fused ZO step, a stream
///   kernel, a model loss, a client step of the transformer), measured after a warm-up. All 0.
/// - ``perRound``: allocator calls of one steady federated round (every client already sampled
///   once), 4 clients with 2 sampled, exact sync with catch-up. Small bookkeeping (the round's
///   scalars, its log entry, the sampled ids), the same at every model size.
///
/// To accept a change on purpose, run the allocation tests with `HISO_UPDATE_THRESHOLDS=1`, which
/// prints the measured figures, and commit them into the file.
public struct AllocationThresholds: Codable, Sendable {
    /// What the file gates and how to update it.
    public var note: String
    /// Per operation name: the most allocator calls one call may make.
    public var perCall: [String: Int]
    /// Per method name: the most allocator calls one steady round may make.
    public var perRound: [String: Int]

    /// The thresholds file of this checkout.
    public static let file = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Benchmarks/Thresholds/allocations.json")

    /// Whether the tests should print the measured figures (`HISO_UPDATE_THRESHOLDS=1`).
    public static var printsMeasured: Bool { ProcessInfo.processInfo.environment["HISO_UPDATE_THRESHOLDS"] == "1" }

    /// Reads ``file``.
    ///
    /// - Throws: the file system's or the decoder's error (a missing or malformed file fails the test).
    public static func load() throws -> AllocationThresholds {
        try JSONDecoder().decode(AllocationThresholds.self, from: Data(contentsOf: file))
    }

    /// The per-call threshold of `operation`.
    ///
    /// - Throws: ``Missing`` when the file has no such entry.
    public func perCall(_ operation: String) throws -> Int {
        guard let limit = perCall[operation] else { throw Missing(key: "perCall.\(operation)") }
        return limit
    }

    /// The per-round threshold of `method`.
    ///
    /// - Throws: ``Missing`` when the file has no such entry.
    public func perRound(_ method: String) throws -> Int {
        guard let limit = perRound[method] else { throw Missing(key: "perRound.\(method)") }
        return limit
    }

    /// A threshold the file does not have.
    public struct Missing: Error, CustomStringConvertible {
        /// The missing key.
        public let key: String
        public var description: String { "\(AllocationThresholds.file.path) has no threshold '\(key)'" }
    }
}
