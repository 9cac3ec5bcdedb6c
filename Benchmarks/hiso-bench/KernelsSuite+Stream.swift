import HiSoKernels

extension KernelsSuite {
    /// Normals per `normals` trial call: 256 KiB of output, resident in L2, so the entry measures
    /// the generator, not memory.
    static let normalsBatch = 1 << 16

    /// The `normals` group: generator-only throughput of `fillNormal` (entry `normals`, unit
    /// `Mnormals/s`) for every backend and thread count. It is itself the generation floor that
    /// the `zo_step` group's bounds use.
    ///
    /// Memory: one 256 KiB buffer.
    @Sendable static func normalsGroup(_ context: BenchmarkContext) throws {
        for threads in context.threadCounts {
            for kind in context.backends {
                let rate = try normalsRate(kind, threads: threads, in: context)
                context.record(BenchmarkResult(
                    name: "normals", backend: kind, threads: threads, d: normalsBatch,
                    value: rate.perSecond / 1e6, unit: "Mnormals/s", trials: rate.times.seconds.count,
                    spread: rate.times.spread))
            }
        }
    }

    /// A measured generator throughput.
    struct GeneratorRate {
        /// Timings of one `fillNormal` of ``normalsBatch`` values.
        let times: TrialTimes
        /// Normals per second (median).
        var perSecond: Double { Double(normalsBatch) / times.median }
        /// Seconds per normal (median).
        var secondsPerNormal: Double { times.median / Double(normalsBatch) }
    }

    /// Times `fillNormal` of ``normalsBatch`` values on backend `kind` with `threads` threads.
    static func normalsRate(_ kind: BackendKind, threads: Int, in context: BenchmarkContext) throws -> GeneratorRate {
        let backend = try context.backend(kind, threads: threads)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: normalsBatch)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0)
        var offset = 0
        let times = context.measure {
            backend.fillNormal(buffer, seed: 42, stream: 1, offset: offset)
            offset += normalsBatch
        }
        return GeneratorRate(times: times)
    }
}
