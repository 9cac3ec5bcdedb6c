import Foundation

/// The elementwise and row-wise kernels of the encoder (single-threaded, no allocation).
enum BertMath {
    /// In place: `x = (x - mean) / sqrt(var + epsilon) * gamma + beta` over `count` values
    /// (two passes: mean, then the biased variance of the centred values).
    @inline(__always)
    static func layerNorm(
        _ x: UnsafeMutablePointer<Float>, count: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        epsilon: Float
    ) {
        var sum: Float = 0
        for j in 0..<count { sum += x[j] }
        let mean = sum / Float(count)
        var squares: Float = 0
        for j in 0..<count {
            let d = x[j] - mean
            squares += d * d
        }
        let inverse = 1 / (squares / Float(count) + epsilon).squareRoot()
        for j in 0..<count { x[j] = (x[j] - mean) * inverse * gamma[j] + beta[j] }
    }

    /// `x[r, j] += bias[j]` for a row-major `rows x columns` matrix.
    static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * columns
            for j in 0..<columns { row[j] += bias[j] }
        }
    }

    /// `x[r] = LayerNorm(x[r] + y[r] + bias)` per row (the residual connection of post-LN BERT).
    static func biasResidualLayerNorm(
        _ y: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
        bias: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        for r in 0..<rows {
            let row = x + r * columns
            let add = y + r * columns
            for j in 0..<columns { row[j] += add[j] + bias[j] }
            layerNorm(row, count: columns, gamma: gamma, beta: beta, epsilon: epsilon)
        }
    }

    /// `x = GELU(x + bias)` with `GELU(u) = u / 2 * (1 + erf(u / sqrt 2))`.
    static func biasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        let inverseRoot2: Float = 0.707_106_781_186_547_5
        for r in 0..<rows {
            let row = x + r * columns
            for j in 0..<columns {
                let u = row[j] + bias[j]
                row[j] = 0.5 * u * (1 + erff(u * inverseRoot2))
            }
        }
    }

    /// Row-wise softmax in place: `x[r, j] = exp(x[r, j] - max_r) / sum_j exp(x[r, j] - max_r)`.
    static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = x + r * columns
            var largest = -Float.infinity
            for j in 0..<columns { largest = max(largest, row[j]) }
            var sum: Float = 0
            for j in 0..<columns {
                let e = expf(row[j] - largest)
                row[j] = e
                sum += e
            }
            let inverse = 1 / sum
            for j in 0..<columns { row[j] *= inverse }
        }
    }
}
