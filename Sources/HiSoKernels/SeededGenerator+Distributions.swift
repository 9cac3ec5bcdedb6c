import Foundation

extension SeededGenerator {
    /// A standard normal sample by the Marsaglia polar method (one of each pair is used).
    ///
    /// Draws `u, v ~ U(-1, 1)` until `0 < s = u^2 + v^2 < 1`, returns `u * sqrt(-2 ln s / s)`.
    public mutating func nextStandardNormal() -> Double {
        while true {
            let u = 2 * nextUnitDouble() - 1
            let v = 2 * nextUnitDouble() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * log(s) / s).squareRoot() }
        }
    }

    /// A Gamma(shape, 1) sample by Marsaglia and Tsang's method (ACM TOMS 26(3), 2000).
    ///
    /// For `shape >= 1`: `d = shape - 1/3`, `c = 1/sqrt(9d)`; repeat `x ~ N(0,1)`, `v = (1 + c x)^3`,
    /// `u ~ U(0,1)` until `v > 0` and `ln u < x^2/2 + d - d v + d ln v`; return `d v`.
    /// For `shape < 1`: `Gamma(shape) = Gamma(shape + 1) * U^(1/shape)`, computed in log space so
    /// very small shapes underflow gracefully to 0 rather than NaN.
    ///
    /// - Precondition: `shape > 0` and finite (callers validate user-supplied alphas).
    public mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0 && shape.isFinite, "gamma shape must be positive and finite")
        if shape < 1 {
            let g = nextGamma(shape: shape + 1)
            var u = nextUnitDouble()
            while u == 0 { u = nextUnitDouble() }
            return exp(log(g) + log(u) / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0
            var v = 0.0
            repeat {
                x = nextStandardNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUnitDouble()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if u > 0 && log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// A Dirichlet(`alphas`) sample: independent `g_k ~ Gamma(alpha_k)`, normalised `p_k = g_k / sum g`.
    ///
    /// If every gamma draw underflows to 0 (possible only for tiny alphas), all mass goes to the
    /// largest-alpha coordinate drawn uniformly among ties, so the result always sums to 1.
    ///
    /// - Precondition: every alpha is positive and finite.
    /// - Complexity: O(alphas.count) expected; allocates the result.
    public mutating func nextDirichlet(_ alphas: [Double]) -> [Double] {
        var draws = alphas.map { nextGamma(shape: $0) }
        let total = draws.reduce(0, +)
        if total > 0 {
            for k in draws.indices { draws[k] /= total }
            return draws
        }
        let top = alphas.max() ?? 1
        let ties = alphas.indices.filter { alphas[$0] == top }
        let winner = ties[nextIndex(below: ties.count)]
        return alphas.indices.map { $0 == winner ? 1 : 0 }
    }
}
