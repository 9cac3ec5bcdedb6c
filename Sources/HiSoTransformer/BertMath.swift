import Foundation

/// The elementwise and row-wise kernels of the encoder (single-threaded, no allocation).
///
/// Rows are swept eight lanes at a time (`SIMD8<Float>`, two SSE registers on baseline x86-64)
/// with a scalar tail, so every kernel works for any width. Products and sums are unfused
/// (`a * b + c`): on baseline x86-64 a fused multiply-add is a libm call per lane.
enum BertMath {
    /// Eight float lanes.
    typealias Lanes = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }

    /// In place: `x = (x - mean) / sqrt(var + epsilon) * gamma + beta` over `count` values
    /// (two passes: mean, then the biased variance of the centred values).
    @inline(__always)
    static func layerNorm(
        _ x: UnsafeMutablePointer<Float>, count: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        epsilon: Float
    ) {
        var lanes = Lanes()
        var j = 0
        while j &+ 8 <= count {
            lanes += load(x + j)
            j &+= 8
        }
        var sum = lanes.sum()
        while j < count {
            sum += x[j]
            j &+= 1
        }
        normalize(x, count: count, mean: sum / Float(count), gamma: gamma, beta: beta, epsilon: epsilon)
    }

    /// The second and third passes of ``layerNorm(_:count:gamma:beta:epsilon:)`` given the mean.
    @inline(__always)
    private static func normalize(
        _ x: UnsafeMutablePointer<Float>, count: Int, mean: Float, gamma: UnsafePointer<Float>,
        beta: UnsafePointer<Float>, epsilon: Float
    ) {
        let meanLanes = Lanes(repeating: mean)
        var lanes = Lanes()
        var j = 0
        while j &+ 8 <= count {
            let d = load(x + j) - meanLanes
            lanes += d * d
            j &+= 8
        }
        var squares = lanes.sum()
        while j < count {
            let d = x[j] - mean
            squares += d * d
            j &+= 1
        }
        let inverse = 1 / (squares / Float(count) + epsilon).squareRoot()
        let inverseLanes = Lanes(repeating: inverse)
        j = 0
        while j &+ 8 <= count {
            store((load(x + j) - meanLanes) * inverseLanes * load(gamma + j) + load(beta + j), x + j)
            j &+= 8
        }
        while j < count {
            x[j] = (x[j] - mean) * inverse * gamma[j] + beta[j]
            j &+= 1
        }
    }

    /// `x[r, j] += bias[j]` for a row-major `rows x columns` matrix.
    static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r &* columns
            var j = 0
            while j &+ 8 <= columns {
                store(load(row + j) + load(bias + j), row + j)
                j &+= 8
            }
            while j < columns {
                row[j] += bias[j]
                j &+= 1
            }
        }
    }

    /// `x[r] = LayerNorm(x[r] + bias)` per row: the end of post-LN BERT's residual connection, once
    /// the projection has been accumulated into `x`; the bias and the mean share one pass.
    static func biasLayerNorm(
        _ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        for r in 0..<rows {
            let row = x + r &* columns
            var lanes = Lanes()
            var j = 0
            while j &+ 8 <= columns {
                let v = load(row + j) + load(bias + j)
                store(v, row + j)
                lanes += v
                j &+= 8
            }
            var sum = lanes.sum()
            while j < columns {
                let v = row[j] + bias[j]
                row[j] = v
                sum += v
                j &+= 1
            }
            normalize(row, count: columns, mean: sum / Float(columns), gamma: gamma, beta: beta, epsilon: epsilon)
        }
    }

    /// `x = GELU(x + bias)` with `GELU(u) = u / 2 * (1 + erf(u / sqrt 2))`, `erf` from ``erf(_:)``.
    static func biasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>) {
        let inverseRoot2 = Lanes(repeating: 0.707_106_781_186_547_5)
        let half = Lanes(repeating: 0.5)
        for r in 0..<rows {
            let row = x + r &* columns
            var j = 0
            while j &+ 8 <= columns {
                let u = load(row + j) + load(bias + j)
                store(half * u * (1 + erf(u * inverseRoot2)), row + j)
                j &+= 8
            }
            while j < columns {
                let u = Lanes(repeating: row[j] + bias[j])
                row[j] = (half * u * (1 + erf(u * inverseRoot2)))[0]
                j &+= 1
            }
        }
    }

    /// `erf(x)` as the rational approximation `x P(x^2) / Q(x^2)` on `x` clamped to `[-4, 4]`
    /// (degrees 13/8, the float32 coefficients of Eigen and XLA); absolute error below 5e-7.
    @inline(__always)
    static func erf(_ a: Lanes) -> Lanes {
        var x = a
        x.replace(with: 4, where: x .> 4)
        x.replace(with: -4, where: x .< -4)
        let x2 = x * x
        var p = x2 * Lanes(repeating: -2.726_142_258_013_06e-10) + Lanes(repeating: 2.770_681_424_959_02e-08)
        p = x2 * p + Lanes(repeating: -2.101_024_020_825_08e-06)
        p = x2 * p + Lanes(repeating: -5.692_506_394_623_46e-05)
        p = x2 * p + Lanes(repeating: -7.349_906_303_268_55e-04)
        p = x2 * p + Lanes(repeating: -2.954_599_808_540_25e-03)
        p = x2 * p + Lanes(repeating: -1.609_603_332_624_15e-02)
        p = x * p
        var q = x2 * Lanes(repeating: -1.456_607_184_649_96e-05) + Lanes(repeating: -2.133_740_552_789_05e-04)
        q = x2 * q + Lanes(repeating: -1.682_826_974_382_03e-03)
        q = x2 * q + Lanes(repeating: -7.373_329_167_204_68e-03)
        q = x2 * q + Lanes(repeating: -1.426_473_905_141_89e-02)
        return p / q
    }

    /// Row-wise softmax in place: `x[r, j] = exp(x[r, j] - max_r) / sum_j exp(x[r, j] - max_r)`.
    static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = x + r &* columns
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
