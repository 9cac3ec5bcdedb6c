extension RunConfiguration {
    /// Checks every field and the combinations between them.
    ///
    /// - Throws: ``FederationError/invalidConfiguration(key:value:expected:)`` naming the first
    ///   offending key, its value and the allowed range.
    /// - Complexity: O(1).
    public func validate() throws(FederationError) {
        func require(_ ok: Bool, _ key: String, _ value: Any, _ expected: String) throws(FederationError) {
            if !ok { throw .invalidConfiguration(key: key, value: "\(value)", expected: expected) }
        }
        func positiveFinite(_ v: Float, _ key: String) throws(FederationError) {
            try require(v.isFinite && v > 0, key, v, "a finite number > 0")
        }
        try require(clients >= 1, "clients", clients, "at least 1")
        try require(sampledClients >= 1 && sampledClients <= clients, "sampledClients", sampledClients, "1...\(clients) (clients)")
        if method == .mezo {
            try require(clients == 1, "clients", clients, "1 for centralised MeZO")
        }
        try require(localSteps >= 1, "localSteps", localSteps, "at least 1")
        try require(perturbations >= 1, "perturbations", perturbations, "at least 1")
        try positiveFinite(mu, "mu")
        try positiveFinite(learningRate, "learningRate")
        try require(scheduleDecay.isFinite && scheduleDecay > 0 && scheduleDecay <= 1, "scheduleDecay", scheduleDecay, "in (0, 1]")
        try require(scheduleEvery >= 1, "scheduleEvery", scheduleEvery, "at least 1")
        try require(scheduleMinimumFraction >= 0 && scheduleMinimumFraction <= 1, "scheduleMinimumFraction", scheduleMinimumFraction, "in [0, 1]")
        try require(rounds >= 1, "rounds", rounds, "at least 1")
        try require(evaluateEvery >= 1, "evaluateEvery", evaluateEvery, "at least 1")
        try require(byzantineCount >= 0, "byzantineCount", byzantineCount, "at least 0")
        switch aggregator {
        case .mean, .median:
            break
        case .trimmedMean:
            try require(sampledClients > 2 * byzantineCount, "byzantineCount", byzantineCount,
                        "less than sampledClients / 2 (\(sampledClients)) for the trimmed mean")
        case .krum:
            try require(sampledClients >= 2 * byzantineCount + 3, "sampledClients", sampledClients,
                        "at least 2 * byzantineCount + 3 = \(2 * byzantineCount + 3) for Krum")
        }
        try require(attackers >= 0 && attackers <= clients, "attackers", attackers, "0...\(clients) (clients)")
        try require(attack != .none || attackers == 0, "attackers", attackers, "0 when attack is 'none'")
        try require(attackStrength.isFinite && attackStrength >= 0, "attackStrength", attackStrength, "a finite number >= 0")
        try require(beta >= 0 && beta <= 1, "beta", beta, "in [0, 1] (1 keeps H = 1: DeComFL)")
        try require(nu > 0 && nu <= 1, "nu", nu, "in (0, 1]")
        try require(epsilon.isFinite && epsilon >= 0, "epsilon", epsilon, "a finite number >= 0")
        try require(hessianFloor.isFinite && hessianFloor >= 0, "hessianFloor", hessianFloor, "a finite number >= 0")
        if learnsCurvature {
            try require(scheme == .central, "scheme", scheme, "central for the curvature rule (second differences need f(x - mu u))")
        }
        try positiveFinite(serverLearningRate, "serverLearningRate")
        try require(serverBeta1 >= 0 && serverBeta1 < 1, "serverBeta1", serverBeta1, "in [0, 1)")
        try require(serverBeta2 >= 0 && serverBeta2 < 1, "serverBeta2", serverBeta2, "in [0, 1)")
        try positiveFinite(serverEpsilon, "serverEpsilon")
        try require(threads >= 1, "threads", threads, "at least 1")
        if let retention = logRetention {
            try require(retention >= 1, "logRetention", retention, "at least 1 round (or absent for unlimited)")
        }
    }
}
