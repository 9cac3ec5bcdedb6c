import Foundation

extension BertMath {
    /// In place: `x = x_hat * gamma + beta` with `x_hat = (x - mean) / sigma`, `sigma = sqrt(var(x) + epsilon)`,
    /// as ``layerNorm(_:count:gamma:beta:epsilon:)`` (the same operations in the same order, so the
    /// same bits), also keeping what the backward pass needs: `x_hat` in `normalized` and `1 / sigma`
    /// in `inverse`.
    ///
    /// - Complexity: `O(count)`, no allocation.
    @inline(__always)
    static func layerNormRecording(
        _ x: UnsafeMutablePointer<Float>, count: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        epsilon: Float, normalized: UnsafeMutablePointer<Float>, inverse: UnsafeMutablePointer<Float>
    ) {
        var sum: Float = 0
        for j in 0..<count { sum += x[j] }
        let mean = sum / Float(count)
        var squares: Float = 0
        for j in 0..<count {
            let d = x[j] - mean
            squares += d * d
        }
        let inverseSigma = 1 / (squares / Float(count) + epsilon).squareRoot()
        inverse.pointee = inverseSigma
        for j in 0..<count {
            normalized[j] = (x[j] - mean) * inverseSigma
            x[j] = normalized[j] * gamma[j] + beta[j]
        }
    }

    /// `x = LayerNorm(x + y + bias)` per row, as ``biasResidualLayerNorm(_:into:rows:columns:bias:gamma:beta:epsilon:)``,
    /// keeping `x_hat` (`rows x columns`) in `normalized` and `1 / sigma` (one per row) in `inverse`
    /// (see ``layerNormRecording(_:count:gamma:beta:epsilon:normalized:inverse:)``).
    ///
    /// - Complexity: `O(rows * columns)`, no allocation.
    static func biasResidualLayerNormRecording(
        _ y: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
        bias: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float,
        normalized: UnsafeMutablePointer<Float>, inverse: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let row = x + r * columns
            let add = y + r * columns
            for j in 0..<columns { row[j] += add[j] + bias[j] }
            layerNormRecording(
                row, count: columns, gamma: gamma, beta: beta, epsilon: epsilon, normalized: normalized + r * columns,
                inverse: inverse + r)
        }
    }

    /// LayerNorm backward in place, row by row: for `y = x_hat * gamma + beta`,
    /// `dx = (1 / sigma) (dy gamma - mean(dy gamma) - x_hat mean(dy gamma x_hat))`,
    /// `dgamma = sum_rows dy x_hat`, `dbeta = sum_rows dy`.
    ///
    /// - Parameters:
    ///   - gradient: `dy` on entry, `dx` on return (`rows x columns`).
    ///   - normalized: the forward's `x_hat`; `inverse`: its `1 / sigma` per row.
    ///   - dGamma, dBeta: overwritten with the parameter gradients when not `nil` (frozen parameters).
    /// - Complexity: `O(rows * columns)`, no allocation.
    static func layerNormBackward(
        _ gradient: UnsafeMutablePointer<Float>, rows: Int, columns: Int, normalized: UnsafePointer<Float>,
        inverse: UnsafePointer<Float>, gamma: UnsafePointer<Float>, dGamma: UnsafeMutablePointer<Float>?,
        dBeta: UnsafeMutablePointer<Float>?
    ) {
        dGamma?.update(repeating: 0, count: columns)
        dBeta?.update(repeating: 0, count: columns)
        let n = Float(columns)
        for r in 0..<rows {
            let dy = gradient + r * columns
            let hat = normalized + r * columns
            if let dGamma { for j in 0..<columns { dGamma[j] += dy[j] * hat[j] } }
            if let dBeta { for j in 0..<columns { dBeta[j] += dy[j] } }
            var sum: Float = 0
            var dotHat: Float = 0
            for j in 0..<columns {
                let g = dy[j] * gamma[j]
                sum += g
                dotHat += g * hat[j]
            }
            let meanG = sum / n
            let meanGHat = dotHat / n
            let s = inverse[r]
            for j in 0..<columns { dy[j] = s * (dy[j] * gamma[j] - meanG - hat[j] * meanGHat) }
        }
    }

    /// `u = x + bias` kept in `preActivation`, and `x = GELU(u) = u/2 (1 + erf(u / sqrt 2))` as in
    /// ``biasGELU(_:rows:columns:bias:)`` (same operations, same bits).
    ///
    /// - Complexity: `O(rows * columns)`, no allocation.
    static func biasGELURecording(
        _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>,
        preActivation: UnsafeMutablePointer<Float>
    ) {
        let inverseRoot2: Float = 0.707_106_781_186_547_5
        for r in 0..<rows {
            let row = x + r * columns
            let kept = preActivation + r * columns
            for j in 0..<columns {
                let u = row[j] + bias[j]
                kept[j] = u
                row[j] = 0.5 * u * (1 + erff(u * inverseRoot2))
            }
        }
    }

    /// GELU backward in place: `du = dg * GELU'(u)` with
    /// `GELU'(u) = Phi(u) + u phi(u) = (1 + erf(u / sqrt 2)) / 2 + u exp(-u^2 / 2) / sqrt(2 pi)`.
    ///
    /// - Complexity: `O(count)` (one `erf` and one `exp` per element), no allocation.
    static func geluBackward(_ gradient: UnsafeMutablePointer<Float>, preActivation: UnsafePointer<Float>, count: Int) {
        let inverseRoot2: Float = 0.707_106_781_186_547_5
        let inverseRoot2Pi: Float = 0.398_942_280_401_432_7
        for i in 0..<count {
            let u = preActivation[i]
            let derivative = 0.5 * (1 + erff(u * inverseRoot2)) + u * inverseRoot2Pi * expf(-0.5 * u * u)
            gradient[i] *= derivative
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
