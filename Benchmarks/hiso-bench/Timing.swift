/// The per-trial timings of one entry, in seconds per call of the timed body.
struct TrialTimes: Sendable {
    /// Seconds per call, one element per timed trial.
    var seconds: [Double]
    /// Calls of the body per trial.
    var iterations: Int

    /// The median of ``seconds``.
    var median: Double {
        let s = seconds.sorted()
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : 0.5 * (s[mid - 1] + s[mid])
    }

    /// `(max - min) / median`: the relative spread of the trials.
    var spread: Double {
        guard let lo = seconds.min(), let hi = seconds.max(), median > 0 else { return 0 }
        return (hi - lo) / median
    }

    /// The median rate of a work amount per call, `work / median` (for example flops per second).
    func rate(_ work: Double) -> Double { work / median }
}

/// Wall-clock timing with the monotonic clock (`ContinuousClock`).
enum Timing {
    /// Seconds elapsed while running `body` once.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let elapsed = start.duration(to: clock.now)
        let parts = elapsed.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    /// Warms `body` up and returns the calls per trial: one call to estimate its time, then (if
    /// that was shorter than `minTrialSeconds`) about `minTrialSeconds` of calls to refine it.
    static func calibrate(_ body: () throws -> Void, minTrialSeconds: Double) rethrows -> Int {
        let first = try seconds(body)
        let iterations = max(1, Int((minTrialSeconds / max(first, 1e-9)).rounded(.up)))
        guard first < minTrialSeconds else { return iterations }
        let warm = try seconds { for _ in 0..<iterations { try body() } } / Double(iterations)
        return max(1, Int((minTrialSeconds / max(warm, 1e-9)).rounded(.up)))
    }

    /// Times `body`: one warm-up call that also calibrates the repeat count, more warm-up up to
    /// `minTrialSeconds`, then `trials` timed trials of `iterations` calls each.
    ///
    /// `iterations` is chosen so that a trial lasts at least `minTrialSeconds` (at least one call).
    /// - Returns: seconds per call for each trial; report the median.
    static func measure(trials: Int, minTrialSeconds: Double, _ body: () throws -> Void) rethrows -> TrialTimes {
        precondition(trials >= 1, "at least one trial")
        let iterations = try calibrate(body, minTrialSeconds: minTrialSeconds)
        var times: [Double] = []
        times.reserveCapacity(trials)
        for _ in 0..<trials {
            let t = try seconds { for _ in 0..<iterations { try body() } }
            times.append(t / Double(iterations))
        }
        return TrialTimes(seconds: times, iterations: iterations)
    }

    /// Times several bodies with their trials interleaved (trial 1 of each, then trial 2 of
    /// each, ...), so that a value and the floor it is compared with see the same machine load.
    ///
    /// Each body is warmed up and calibrated as in ``measure(trials:minTrialSeconds:_:)``.
    /// - Returns: one ``TrialTimes`` per body, in order.
    static func measureInterleaved(trials: Int, minTrialSeconds: Double, _ bodies: [() -> Void]) -> [TrialTimes] {
        precondition(trials >= 1, "at least one trial")
        let iterations = bodies.map { calibrate($0, minTrialSeconds: minTrialSeconds) }
        var times = [[Double]](repeating: [], count: bodies.count)
        for _ in 0..<trials {
            for (index, body) in bodies.enumerated() {
                let t = seconds { for _ in 0..<iterations[index] { body() } }
                times[index].append(t / Double(iterations[index]))
            }
        }
        return zip(times, iterations).map { TrialTimes(seconds: $0, iterations: $1) }
    }
}
