/// The server update of the FedAvg family, applied to the aggregated client delta `Delta`
/// (Reddi et al., "Adaptive Federated Optimization", 2021).
///
/// - FedAvg, FedZO: `x <- x + Delta`.
/// - FedAdam:    `m <- b1 m + (1 - b1) Delta`, `v <- b2 v + (1 - b2) Delta^2`,
///   `x <- x + eta_s m / (sqrt(v) + eps)`.
/// - FedAdagrad: as FedAdam with `v <- v + Delta^2`.
/// - FedYogi:    as FedAdam with `v <- v - (1 - b2) Delta^2 sign(v - Delta^2)`.
/// `m` and `v` start at 0; no bias correction (as in Reddi et al.); defaults `b1 = 0.9`,
/// `b2 = 0.999`, `eps = 1e-8`.
///
/// Memory: `2 d` floats for the adaptive methods, none for FedAvg/FedZO.
public struct ServerOptimizer: Sendable, Equatable {
    /// The method (one of the FedAvg family).
    public let method: FederatedMethod
    /// `eta_s`.
    public let learningRate: Float
    /// `b1`.
    public let beta1: Float
    /// `b2`.
    public let beta2: Float
    /// `eps`.
    public let epsilon: Float
    /// First moment `m` (empty for FedAvg/FedZO).
    public internal(set) var firstMoment: [Float]
    /// Second moment `v` (empty for FedAvg/FedZO).
    public internal(set) var secondMoment: [Float]

    /// Creates the server optimizer of `method` for `dimension` parameters.
    public init(method: FederatedMethod, dimension: Int, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float) {
        self.method = method
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        let adaptive = method == .fedadam || method == .fedadagrad || method == .fedyogi
        firstMoment = adaptive ? [Float](repeating: 0, count: dimension) : []
        secondMoment = adaptive ? [Float](repeating: 0, count: dimension) : []
    }

    /// Applies the aggregated delta to `x`.
    ///
    /// - Complexity: O(d), no allocation.
    public mutating func apply(delta: [Float], to x: inout [Float]) {
        precondition(delta.count == x.count, "delta length differs from x")
        switch method {
        case .fedadam, .fedadagrad, .fedyogi:
            for j in x.indices {
                let g = delta[j]
                let g2 = g * g
                firstMoment[j] = beta1 * firstMoment[j] + (1 - beta1) * g
                switch method {
                case .fedadam:
                    secondMoment[j] = beta2 * secondMoment[j] + (1 - beta2) * g2
                case .fedadagrad:
                    secondMoment[j] = secondMoment[j] + g2
                default:
                    let v = secondMoment[j]
                    let sign: Float = v - g2 > 0 ? 1 : (v - g2 < 0 ? -1 : 0)
                    secondMoment[j] = v - (1 - beta2) * g2 * sign
                }
                x[j] += learningRate * firstMoment[j] / (secondMoment[j].squareRoot() + epsilon)
            }
        default:
            for j in x.indices { x[j] += delta[j] }
        }
    }
}
