import Foundation
@testable import HiSoTransformer

/// A float64 reference of ``BertClassifier``'s loss, written from the BERT definition with plain
/// loops and independent of the package's kernels, for central-difference gradient checks.
///
/// Parameters are addressed as in the trainable vector: the full encoder layout in `encoder`,
/// the LoRA adapters in `lora`, the head (`W` then `b`) in `head`.
struct BertReference {
    let configuration: BertConfiguration
    let layout: BertParameterLayout
    let classes: Int
    let loraRank: Int
    let loraScale: Double
    var encoder: [Double]
    var lora: [Double]
    var head: [Double]

    /// The reference of `classifier` at the trainable vector `trainable`.
    init(classifier: BertClassifier, trainable: [Float]) {
        configuration = classifier.model.encoder.configuration
        layout = classifier.model.encoder.layout
        classes = classifier.classes
        loraRank = classifier.loraRank
        loraScale = Double(classifier.loraScale)
        var all = classifier.model.parameters.map(Double.init)
        for i in classifier.split..<layout.count { all[i] = Double(trainable[classifier.loraCount + i - classifier.split]) }
        encoder = all
        lora = trainable[0..<classifier.loraCount].map(Double.init)
        head = trainable[classifier.headOffset...].map(Double.init)
    }

    /// The embeddings' output for `sequences`, packed (`tokens x h`).
    func embed(_ sequences: [[Int32]]) -> [Double] {
        let h = configuration.hiddenSize
        var x: [Double] = []
        for ids in sequences {
            for (p, id) in ids.enumerated() {
                var row = (0..<h).map { j in
                    encoder[layout.wordEmbedding + Int(id) * h + j] + encoder[layout.positionEmbedding + p * h + j]
                        + encoder[layout.tokenTypeEmbedding + j]
                }
                layerNorm(&row, gamma: layout.embeddingNormWeight, beta: layout.embeddingNormBias)
                x += row
            }
        }
        return x
    }

    /// The mean cross-entropy of the head on the mean-pooled output of layers `first ..< L` applied
    /// to `hidden` (packed rows of sequences with `lengths`).
    func loss(hidden: [Double], first: Int, lengths: [Int], labels: [Int]) -> Double {
        var x = hidden
        for l in first..<configuration.layerCount { layer(l, &x, lengths: lengths) }
        let h = configuration.hiddenSize
        var total = 0.0
        var start = 0
        for (b, n) in lengths.enumerated() {
            let pooled = (0..<h).map { j in (start..<(start + n)).reduce(0.0) { $0 + x[$1 * h + j] } / Double(n) }
            start += n
            let logits = (0..<classes).map { c in (0..<h).reduce(head[classes * h + c]) { $0 + head[c * h + $1] * pooled[$1] } }
            let largest = logits.max()!
            total += largest + log(logits.reduce(0.0) { $0 + exp($1 - largest) }) - logits[labels[b]]
        }
        return total / Double(lengths.count)
    }

    /// One post-LN encoder layer in place on `x`.
    private func layer(_ l: Int, _ x: inout [Double], lengths: [Int]) {
        let h = configuration.hiddenSize
        let dh = configuration.headSize
        let inner = configuration.intermediateSize
        let t = x.count / h
        let o = layout.layers[l]
        var qkv = linear(x, rows: t, inputs: h, weight: o.qkvWeight, bias: o.qkvBias, outputs: 3 * h)
        if loraRank > 0 {
            let r = loraRank
            for projection in 0..<2 {
                let a = l * 4 * r * h + 2 * projection * r * h
                let b = a + r * h
                for row in 0..<t {
                    let down = (0..<r).map { k in (0..<h).reduce(0.0) { $0 + x[row * h + $1] * lora[a + k * h + $1] } }
                    for j in 0..<h {
                        qkv[row * 3 * h + 2 * projection * h + j] += loraScale * (0..<r).reduce(0.0) { $0 + down[$1] * lora[b + j * r + $1] }
                    }
                }
            }
        }
        var context = [Double](repeating: 0, count: t * h)
        var start = 0
        for n in lengths {
            for head in 0..<configuration.headCount {
                for i in 0..<n {
                    var scores = (0..<n).map { k in
                        (0..<dh).reduce(0.0) { $0 + qkv[(start + i) * 3 * h + head * dh + $1] * qkv[(start + k) * 3 * h + h + head * dh + $1] }
                            / Double(dh).squareRoot()
                    }
                    let largest = scores.max()!
                    scores = scores.map { exp($0 - largest) }
                    let sum = scores.reduce(0, +)
                    for j in 0..<dh {
                        context[(start + i) * h + head * dh + j] =
                            (0..<n).reduce(0.0) { $0 + scores[$1] / sum * qkv[(start + $1) * 3 * h + 2 * h + head * dh + j] }
                    }
                }
            }
            start += n
        }
        let attended = linear(context, rows: t, inputs: h, weight: o.attentionOutputWeight, bias: o.attentionOutputBias, outputs: h)
        for i in 0..<(t * h) { x[i] += attended[i] }
        rowLayerNorm(&x, rows: t, gamma: o.attentionNormWeight, beta: o.attentionNormBias)
        var u = linear(x, rows: t, inputs: h, weight: o.intermediateWeight, bias: o.intermediateBias, outputs: inner)
        for i in 0..<u.count { u[i] = 0.5 * u[i] * (1 + erf(u[i] / 2.0.squareRoot())) }
        let f = linear(u, rows: t, inputs: inner, weight: o.outputWeight, bias: o.outputBias, outputs: h)
        for i in 0..<(t * h) { x[i] += f[i] }
        rowLayerNorm(&x, rows: t, gamma: o.outputNormWeight, beta: o.outputNormBias)
    }

    /// `y = x W^T + b` with `W` (`outputs x inputs`) at `encoder[weight...]`.
    private func linear(_ x: [Double], rows: Int, inputs: Int, weight: Int, bias: Int, outputs: Int) -> [Double] {
        var y = [Double](repeating: 0, count: rows * outputs)
        x.withUnsafeBufferPointer { xs in
            encoder.withUnsafeBufferPointer { p in
                y.withUnsafeMutableBufferPointer { ys in
                    for r in 0..<rows {
                        for o in 0..<outputs {
                            var s = p[bias + o]
                            let w = weight + o * inputs
                            for i in 0..<inputs { s += xs[r * inputs + i] * p[w + i] }
                            ys[r * outputs + o] = s
                        }
                    }
                }
            }
        }
        return y
    }

    private func rowLayerNorm(_ x: inout [Double], rows: Int, gamma: Int, beta: Int) {
        let h = configuration.hiddenSize
        for r in 0..<rows {
            var row = Array(x[(r * h)..<((r + 1) * h)])
            layerNorm(&row, gamma: gamma, beta: beta)
            x.replaceSubrange((r * h)..<((r + 1) * h), with: row)
        }
    }

    private func layerNorm(_ row: inout [Double], gamma: Int, beta: Int) {
        let n = Double(row.count)
        let mean = row.reduce(0, +) / n
        let variance = row.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let inverse = 1 / (variance + Double(configuration.layerNormEpsilon)).squareRoot()
        for j in 0..<row.count { row[j] = (row[j] - mean) * inverse * encoder[gamma + j] + encoder[beta + j] }
    }
}
