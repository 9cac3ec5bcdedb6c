import Foundation

/// Numerically stable softmax cross-entropy on `[count, classes]` logits.
///
/// Per sample: `loss_b = log(sum_j exp(z_bj - m_b)) + m_b - z_{b,label}` with `m_b = max_j z_bj`;
/// the batch loss is the mean `(1/count) sum_b loss_b` (summed in Double).
/// Gradient: `dz_bj = (softmax(z_b)_j - [j == label_b]) / count`.
enum SoftmaxCrossEntropy {
    /// Mean loss and number of correct arg-max predictions (first maximum on ties).
    ///
    /// Complexity: `count * classes` exponentials. Memory: none.
    static func evaluate(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int, classes: Int
    ) -> (loss: Float, correct: Int) {
        var total = 0.0
        var correct = 0
        for b in 0..<count {
            let row = logits + b &* classes
            var m = row[0]
            var argmax = 0
            for j in 1..<classes where row[j] > m {
                m = row[j]
                argmax = j
            }
            var s: Float = 0
            for j in 0..<classes { s += exp(row[j] - m) }
            let label = Int(labels[b])
            total += Double(log(s) + m - row[label])
            if argmax == label { correct += 1 }
        }
        return (Float(total / Double(count)), correct)
    }

    /// Writes `dz = (softmax(z) - onehot(label)) / count` into `gradient`.
    static func gradient(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count: Int, classes: Int,
        into gradient: UnsafeMutablePointer<Float>
    ) {
        let scale = 1 / Float(count)
        for b in 0..<count {
            let row = logits + b &* classes
            let g = gradient + b &* classes
            var m = row[0]
            for j in 1..<classes { m = max(m, row[j]) }
            var s: Float = 0
            for j in 0..<classes {
                let e = exp(row[j] - m)
                g[j] = e
                s += e
            }
            let k = scale / s
            for j in 0..<classes { g[j] *= k }
            g[Int(labels[b])] -= scale
        }
    }
}
