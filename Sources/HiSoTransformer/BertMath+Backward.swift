import Foundation

extension BertMath {
    /// LayerNorm backward in place, row by row: for `y = x_hat * gamma + beta` with
    /// `x_hat = (r - mean(r)) / sigma`, `sigma = sqrt(var(r) + epsilon)` and `r = sum + bias`,
    /// `dr = (1 / sigma) (dy gamma - mean(dy gamma) - x_hat mean(dy gamma x_hat))`,
    /// `dgamma = sum_rows dy x_hat`, `dbeta = sum_rows dy`. The statistics are recomputed from
    /// the kept sums (two passes per row, as the forward).
    ///
    /// - Parameters:
    ///   - gradient: `dy` on entry, `dr` on return (`rows x columns`).
    ///   - sums: the LayerNorm's input without `bias` (`rows x columns`); `bias`: `columns`, or `nil`.
    ///   - dGamma, dBeta: overwritten with the parameter gradients when not `nil` (frozen parameters).
    /// - Complexity: `O(rows * columns)`, no allocation.
    static func layerNormBackward(
        _ gradient: UnsafeMutablePointer<Float>, rows: Int, columns: Int, sums: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, gamma: UnsafePointer<Float>, epsilon: Float, dGamma: UnsafeMutablePointer<Float>?,
        dBeta: UnsafeMutablePointer<Float>?
    ) {
        dGamma?.update(repeating: 0, count: columns)
        dBeta?.update(repeating: 0, count: columns)
        let n = Float(columns)
        for r in 0..<rows {
            let dy = gradient + r * columns
            let sum = sums + r * columns
            @inline(__always) func input(_ j: Int) -> Float {
                if let bias { return sum[j] + bias[j] }
                return sum[j]
            }
            var total: Float = 0
            for j in 0..<columns { total += input(j) }
            let mean = total / n
            var squares: Float = 0
            for j in 0..<columns {
                let d = input(j) - mean
                squares += d * d
            }
            let inverse = 1 / (squares / n + epsilon).squareRoot()
            var sumG: Float = 0
            var sumGHat: Float = 0
            for j in 0..<columns {
                let hat = (input(j) - mean) * inverse
                dGamma?[j] += dy[j] * hat
                dBeta?[j] += dy[j]
                let g = dy[j] * gamma[j]
                sumG += g
                sumGHat += g * hat
            }
            let meanG = sumG / n
            let meanGHat = sumGHat / n
            for j in 0..<columns {
                let hat = (input(j) - mean) * inverse
                dy[j] = inverse * (dy[j] * gamma[j] - meanG - hat * meanGHat)
            }
        }
    }

    /// GELU backward in place: `du = dg * GELU'(u)` with `u = pre + bias` and
    /// `GELU'(u) = Phi(u) + u phi(u) = (1 + erf(u / sqrt 2)) / 2 + u exp(-u^2 / 2) / sqrt(2 pi)`
    /// (`erf` the forward's ``erf(_:)``; the derivative of the exact GELU, which the forward
    /// approximates to 5e-7).
    ///
    /// - Parameters:
    ///   - gradient: `dg` on entry, `du` on return (`rows x columns`).
    ///   - preActivation: `u` without the bias; `bias`: `columns`.
    /// - Complexity: `O(rows * columns)` (one `exp` per element), no allocation.
    static func geluBackward(
        _ gradient: UnsafeMutablePointer<Float>, rows: Int, columns: Int, preActivation: UnsafePointer<Float>,
        bias: UnsafePointer<Float>
    ) {
        let inverseRoot2 = Lanes(repeating: 0.707_106_781_186_547_5)
        let inverseRoot2Pi = Lanes(repeating: 0.398_942_280_401_432_7)
        let half = Lanes(repeating: 0.5)
        for r in 0..<rows {
            let d = gradient + r * columns
            let pre = preActivation + r * columns
            var j = 0
            while j < columns {
                let count = min(8, columns - j)
                var u = Lanes()
                var density = Lanes()
                for lane in 0..<count {
                    u[lane] = pre[j + lane] + bias[j + lane]
                    density[lane] = expf(-0.5 * u[lane] * u[lane])
                }
                let derivative = half * (1 + erf(u * inverseRoot2)) + u * inverseRoot2Pi * density
                for lane in 0..<count { d[j + lane] *= derivative[lane] }
                j += 8
            }
        }
    }

    /// Softmax backward in place, row by row: for `p = softmax(s)`, `ds = p (dp - sum_j dp_j p_j)`.
    ///
    /// - Parameters:
    ///   - gradient: `dp` on entry, `ds` on return (`rows x columns`).
    ///   - probabilities: the softmax output `p`.
    /// - Complexity: `O(rows * columns)`, no allocation.
    static func softmaxBackwardRows(
        _ gradient: UnsafeMutablePointer<Float>, probabilities: UnsafePointer<Float>, rows: Int, columns: Int
    ) {
        for r in 0..<rows {
            let d = gradient + r * columns
            let p = probabilities + r * columns
            var dot: Float = 0
            for j in 0..<columns { dot += d[j] * p[j] }
            for j in 0..<columns { d[j] = p[j] * (d[j] - dot) }
        }
    }

    /// `sums[j] = sum_r x[r, j]` (overwrites `sums`; a bias gradient).
    ///
    /// - Complexity: `O(rows * columns)`, no allocation.
    static func columnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
        sums.update(repeating: 0, count: columns)
        for r in 0..<rows {
            let row = x + r * columns
            for j in 0..<columns { sums[j] += row[j] }
        }
    }
}
