import RealModule

extension QuadraticProblem {
    /// `ζ = Tr(H^(-1/2) A H^(-1/2)) = sum_i s_i^2 A_ii` for a diagonal preconditioner with scale
    /// `s = H^(-1/2)` (`nil`: identity, `ζ = Tr A`). It is the dimension factor in the rate of
    /// ZO-SGD preconditioned by `H`; it is not invariant to rescaling `H`.
    ///
    /// Complexity: O(d), summed in `Double`.
    public func zeta(scale: [Float]?) -> Double {
        guard let s = scale else { return curvatureDiagonal.reduce(0.0) { $0 + Double($1) } }
        precondition(s.count == dimension, "scale has \(s.count) floats, the problem has d = \(dimension)")
        var sum = 0.0
        for i in 0..<dimension { sum += Double(s[i]) * Double(s[i]) * Double(curvatureDiagonal[i]) }
        return sum
    }

    /// The Pearson correlation of a learned diagonal `H` with the exact `diag(A)`, on the raw
    /// values or (with `logScale`) on their logarithms (entries `<= 0` are clamped to the
    /// smallest positive float first). Returns 0 when either side is constant.
    ///
    /// Complexity: O(d), in `Double`.
    public func curvatureCorrelation(_ hessian: [Float], logScale: Bool = false) -> Double {
        precondition(hessian.count == dimension, "H has \(hessian.count) floats, the problem has d = \(dimension)")
        return Self.pearson(hessian, curvatureDiagonal, logScale: logScale)
    }

    /// The Pearson correlation of two equally long vectors (optionally of their logarithms).
    static func pearson(_ a: [Float], _ b: [Float], logScale: Bool) -> Double {
        func value(_ v: Float) -> Double {
            logScale ? Double.log(Double(max(v, .leastNormalMagnitude))) : Double(v)
        }
        let n = Double(a.count)
        var meanA = 0.0, meanB = 0.0
        for i in a.indices {
            meanA += value(a[i])
            meanB += value(b[i])
        }
        meanA /= n
        meanB /= n
        var cov = 0.0, varA = 0.0, varB = 0.0
        for i in a.indices {
            let da = value(a[i]) - meanA, db = value(b[i]) - meanB
            cov += da * db
            varA += da * da
            varB += db * db
        }
        guard varA > 0, varB > 0 else { return 0 }
        return cov / (varA * varB).squareRoot()
    }
}
