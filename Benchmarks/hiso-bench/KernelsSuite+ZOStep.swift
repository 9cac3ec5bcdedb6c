import HiSoKernels
import HiSoOptim

extension KernelsSuite {
    /// Vector lengths of the `zo_step` group (`--quick` drops 1e8).
    static func zoStepDimensions(quick: Bool) -> [Int] {
        quick ? [100_000, 1_000_000, 10_000_000] : [100_000, 1_000_000, 10_000_000, 100_000_000]
    }

    /// The `zo_step` group, for every d, thread count and backend:
    /// - `rmw_bandwidth` (GB/s): in-place read-modify-write bandwidth over a d-float buffer;
    /// - `zo_step_central` (ns/param): ``FusedZOStep`` central step, cached direction (generate
    ///   once while perturbing, two more passes reading it back), loss O(1); its `floor` is the
    ///   three-pass bound `t_gen + 3 t_rmw`: one generation (the same backend's `normals` rate at
    ///   the same thread count, measured just before) plus 24 bytes per parameter (three read-modify-writes of x) at
    ///   the measured bandwidth;
    /// - `hiso_step` (ns/param): the HiSo step (u = s ⊙ z with s = H^(-1/2), H EMA and refresh of
    ///   s in the last pass); `floor` = `t_gen + 6 t_rmw`: one generation plus 48 bytes per
    ///   parameter: x three times (24), s read in passes 1 and 2 (8), h and s read and written in
    ///   pass 3 (16);
    /// - `zo_step_central_regenerate` (ns/param, d <= 1e7): the same central step regenerating z
    ///   in every pass (no workspace), with the same floor, to compare the two modes;
    /// - `zo_round_forward_p5` (ns/param, d <= 1e7): one round of the package's round loop exactly
    ///   as training runs it (``LocalTrainer``: the fused out-of-place estimate of P = 5 forward
    ///   differences, then ``RoundRecord/apply(to:preconditioner:backend:)``: one accumulate pass
    ///   of 5 streams), loss O(1); `floor` = `10 t_gen + 6 t_rmw` (5 generations and 5 x-to-workspace
    ///   passes for the estimate, 5 generations and one read-modify-write of x for the update).
    /// Reads of the cached direction (12 bytes per parameter) are not in the bounds: they are
    /// what the cached mode pays instead of two more generations.
    ///
    /// Memory: x, h, s and the step's workspace, 16 d bytes (1.6 GB at d = 1e8).
    @Sendable static func zoStepGroup(_ context: BenchmarkContext) throws {
        for d in zoStepDimensions(quick: context.quick) {
            let x = UnsafeMutableBufferPointer<Float>.allocate(capacity: d)
            let h = UnsafeMutableBufferPointer<Float>.allocate(capacity: d)
            let s = UnsafeMutableBufferPointer<Float>.allocate(capacity: d)
            defer { x.deallocate(); h.deallocate(); s.deallocate() }
            for threads in context.threadCounts {
                let bandwidth = Floors.readModifyWrite(x, threads: threads, in: context)
                context.record(BenchmarkResult(
                    name: "rmw_bandwidth", backend: context.backends[0], threads: threads, d: d,
                    value: bandwidth.gigabytesPerSecond, unit: "GB/s", trials: bandwidth.times.seconds.count,
                    spread: bandwidth.times.spread))
                let rmw = bandwidth.secondsPerElement
                for kind in context.backends {
                    let backend = try context.backend(kind, threads: threads)
                    // Re-measured next to the steps: on a shared machine the load drifts between entries.
                    let gen = try normalsRate(kind, threads: threads, in: context).secondsPerNormal
                    let centralBound = (gen + 3 * rmw) * 1e9
                    let hisoBound = (gen + 6 * rmw) * 1e9
                    Floors.fillDeterministic(x.baseAddress!, count: d)
                    let cached = FusedZOStep(backend: backend, dimension: d, mode: .cached)
                    var round: UInt64 = 0
                    let central = context.measure {
                        round += 1
                        _ = cached.step(x, scale: nil, seed: 7, stream: round, mu: 1e-3, learningRate: 1e-4) { $0[0] }
                    }
                    record(context, "zo_step_central", kind, threads, d, central, bound: centralBound)
                    h.initialize(repeating: 1)
                    s.initialize(repeating: 1)
                    let hiso = context.measure {
                        round += 1
                        _ = cached.hisoStep(
                            x, hessian: h, scale: s, seed: 7, stream: round, mu: 1e-3, learningRate: 1e-4, beta: 0.95,
                            floor: 1e-8) { $0[0] }
                    }
                    record(context, "hiso_step", kind, threads, d, hiso, bound: hisoBound)
                    if d <= 10_000_000 {
                        let regenerating = FusedZOStep(backend: backend, dimension: d, mode: .regenerate)
                        let times = context.measure {
                            round += 1
                            _ = regenerating.step(x, scale: nil, seed: 7, stream: round, mu: 1e-3, learningRate: 1e-4) { $0[0] }
                        }
                        record(context, "zo_step_central_regenerate", kind, threads, d, times, bound: centralBound)
                        let estimator = try ZOEstimator(perturbations: 5, mu: 1e-3, scheme: .forward)
                        var trainer = LocalTrainer(estimator: estimator, localSteps: 1, dimension: d, backend: backend)
                        var preconditioner: any Preconditioner = IdentityPreconditioner()
                        var scalars = [Float](repeating: 0, count: 5)
                        let loop = try context.measure {
                            round += 1
                            _ = scalars.withUnsafeMutableBufferPointer { g in
                                trainer.run(
                                    at: UnsafeBufferPointer(x), scale: nil, runSeed: 7, round: round, learningRate: 1e-4, scalars: g
                                ) { point, _ in point[0] }
                            }
                            let record = RoundRecord(
                                round: round, steps: [StepScalars(seed: StepSeed.derive(runSeed: 7, round: round, step: 0),
                                                                  learningRate: 1e-4, aggregated: scalars, perClient: nil)])
                            try record.apply(to: x, preconditioner: &preconditioner, backend: backend)
                        }
                        record(context, "zo_round_forward_p5", kind, threads, d, loop, bound: (10 * gen + 6 * rmw) * 1e9)
                    }
                }
            }
        }
    }

    /// Records a per-parameter step time against its bound (both in ns/param).
    private static func record(
        _ context: BenchmarkContext, _ name: String, _ kind: BackendKind, _ threads: Int, _ d: Int, _ times: TrialTimes,
        bound: Double
    ) {
        context.record(BenchmarkResult(
            name: name, backend: kind, threads: threads, d: d, value: times.median / Double(d) * 1e9, unit: "ns/param",
            floor: bound, floorName: "gen+rmw_bound", trials: times.seconds.count, spread: times.spread))
    }
}
