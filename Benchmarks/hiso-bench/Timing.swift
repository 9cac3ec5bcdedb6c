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

    /// Times `body`: one warm-up call that also calibrates the repeat count, more warm-up up to
    /// `minTrialSeconds`, then `trials` timed trials of `iterations` calls each.
    ///
    /// `iterations` is chosen so that a trial lasts at least `minTrialSeconds` (at least one call).
    /// - Returns: seconds per call for each trial; report the median.
    static func measure(trials: Int, minTrialSeconds: Double, _ body: () throws -> Void) rethrows -> TrialTimes {
        precondition(trials >= 1, "at least one trial")
        let first = try seconds(body)
        var iterations = max(1, Int((minTrialSeconds / max(first, 1e-9)).rounded(.up)))
        if first < minTrialSeconds {
            let warm = try seconds { for _ in 0..<iterations { try body() } } / Double(iterations)
            iterations = max(1, Int((minTrialSeconds / max(warm, 1e-9)).rounded(.up)))
        }
        var times: [Double] = []
        times.reserveCapacity(trials)
        for _ in 0..<trials {
            let t = try seconds { for _ in 0..<iterations { try body() } }
            times.append(t / Double(iterations))
        }
        return TrialTimes(seconds: times, iterations: iterations)
    }
}
