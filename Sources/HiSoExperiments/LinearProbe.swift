import Foundation
import HiSoKernels
import HiSoTransformer

/// A linear probe: L2-regularised logistic regression on the frozen encoder's mean-pooled
/// features, trained by Newton's method (first order and deterministic), with the
/// regularisation chosen on a validation split. It is both a row of the SST-2 fine-tuning table
/// and the head that linear-probing-then-fine-tuning starts from.
///
/// Model, on features standardised with the training mean `m` and deviation `s`
/// (`u_j = (x_j - m_j) / s_j`): `P(y = 1 | x) = sigmoid(w . u + c)`, minimising
/// `(1/n) sum_i log(1 + exp(-(2 y_i - 1)(w . u_i + c))) + (lambda / 2) |w|^2` (the intercept is
/// not penalised). As a two-class softmax head on raw features this is
/// `W_1 = -W_0 = w / (2 s)`, `b_1 = -b_0 = (c - sum_j w_j m_j / s_j) / 2`. Features that do not
/// vary (``constantFeatureTolerance``) are left out: their head weights are 0.
///
/// Selection rule: the highest validation accuracy over the grid of `lambda`; ties go to the
/// larger `lambda`. When the winner is at an edge of the grid, the grid is extended by a factor
/// 10 beyond that edge (at most ``maximumWidenings`` times per side).
///
/// Usage:
/// ```swift
/// let probe = try LinearProbe.train(
///     model: model, train: split.train, validation: split.validation, dev: dev, backend: try Kernels.backend())
/// settings.initialHead = probe.head          // start fine-tuning from it
/// ```
/// Cost: the features are one full encoder forward per sentence (the dominant cost, about
/// `2 L tokens (4 h^2 + 2 h I)` flops); each Newton iteration is `O(n (h + 1)^2)`.
/// Memory: `4 h` bytes per sentence of features plus `8 (h + 1)^2` for the Hessian.
public struct LinearProbe: Codable, Sendable, Equatable {
    /// One regularisation strength of the grid and what it scored.
    public struct Candidate: Codable, Sendable, Equatable {
        /// `lambda`.
        public var l2: Double
        /// Accuracy and mean cross-entropy on the validation split.
        public var validationAccuracy: Double, validationLoss: Double
        /// Accuracy on the training sentences.
        public var trainAccuracy: Double
        /// Newton iterations used.
        public var iterations: Int
    }

    /// The head as ``SST2MiniLMTask/Settings/initialHead`` takes it: `W` (2 x h, row-major), then `b` (2).
    public var head: [Float]
    /// The chosen `lambda`.
    public var l2: Double
    /// Every `lambda` tried, ascending, with its scores.
    public var grid: [Candidate]
    /// Accuracy and mean cross-entropy of the chosen head on the validation split.
    public var validationAccuracy: Double, validationLoss: Double
    /// Accuracy and mean cross-entropy of the chosen head on the dev split (reported, never used to choose).
    public var devAccuracy: Double, devLoss: Double
    /// Sentences in the training and validation splits.
    public var trainCount: Int, validationCount: Int

    /// Extensions of the grid beyond each edge at most.
    public static let maximumWidenings = 3
    /// The revision of the fit, recorded with saved probes so that a probe fitted by older code
    /// is fitted again: 2 leaves out constant features (``constantFeatureTolerance``).
    public static let revision = 2
    /// A feature whose training deviation is at most this fraction of `|mean| + median
    /// deviation` counts as constant and is left out (float32 features carry about 1e-7 relative
    /// rounding noise, amplified by the encoder's many operations).
    public static let constantFeatureTolerance = 1e-5
    /// The initial grid of `lambda`.
    public static let defaultGrid: [Double] = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1]

    /// Computes the features of the three splits and fits the probe.
    ///
    /// - Parameters:
    ///   - model: the pretrained encoder (frozen).
    ///   - train: the training split (the probe is fitted on it).
    ///   - validation: the split that chooses `lambda`.
    ///   - dev: the reported split (never used for a choice).
    ///   - maxLength: truncation length in tokens (as the task's).
    ///   - grid: the initial `lambda` grid.
    ///   - backend: the kernels of the forward passes.
    ///   - progress: one line per split encoded and per `lambda` fitted.
    /// - Throws: `TransformerError` from the encoder (bad lengths), or for an empty split.
    public static func train(
        model: PretrainedBert, train: SST2Dataset, validation: SST2Dataset, dev: SST2Dataset, maxLength: Int = 64,
        grid: [Double] = defaultGrid, backend: any KernelBackend, progress: (String) -> Void = { _ in }
    ) throws(TransformerError) -> LinearProbe {
        guard train.count > 0, validation.count > 0, dev.count > 0 else {
            throw .invalidArgument(
                name: "probe splits", value: "\(train.count)/\(validation.count)/\(dev.count) sentences", expected: "non-empty train, validation and dev")
        }
        let h = model.encoder.configuration.hiddenSize
        let trainX = try features(model: model, sentences: train.sentences, maxLength: maxLength, backend: backend)
        progress("linear probe: encoded \(train.count) training sentences")
        let validationX = try features(model: model, sentences: validation.sentences, maxLength: maxLength, backend: backend)
        let devX = try features(model: model, sentences: dev.sentences, maxLength: maxLength, backend: backend)
        progress("linear probe: encoded \(validation.count) validation and \(dev.count) dev sentences")
        return fit(
            train: (trainX, train.labels), validation: (validationX, validation.labels), dev: (devX, dev.labels),
            width: h, grid: grid, progress: progress)
    }

    /// The mean-pooled features (n x h, row-major) of `sentences` under the frozen encoder.
    ///
    /// - Throws: `TransformerError` from tokenizing or encoding.
    public static func features(
        model: PretrainedBert, sentences: [String], maxLength: Int, batch: Int = 64, backend: any KernelBackend
    ) throws(TransformerError) -> [Float] {
        let classifier = try BertClassifier(model: model, classes: SST2Dataset.classCount, subset: .head)
        let texts = try EncodedTexts(sentences, tokenizer: model.tokenizer, maxLength: maxLength)
        let workspace = BertWorkspace(configuration: model.encoder.configuration, maxBatch: batch, maxSequenceLength: maxLength)
        let h = model.encoder.configuration.hiddenSize
        let trainable = [Float](repeating: 0, count: classifier.trainableCount)
        var out = [Float](repeating: 0, count: texts.count * h)
        var start = 0
        while start < texts.count {
            let indices = Array(start..<min(start + batch, texts.count))
            try trainable.withUnsafeBufferPointer { (x) throws(TransformerError) in
                try classifier.encode(trainable: x, texts: texts, indices: indices, workspace: workspace, backend: backend)
            }
            out.withUnsafeMutableBufferPointer { o in
                (o.baseAddress! + start * h).update(from: workspace.pooled, count: indices.count * h)
            }
            start += indices.count
        }
        return out
    }

    /// Fits the probe on precomputed features and chooses `lambda` on the validation features.
    ///
    /// - Parameters:
    ///   - train: training features (n x `h`, row-major) and labels (0 or 1).
    ///   - validation: validation features and labels (they choose `lambda`).
    ///   - dev: dev features and labels (only reported).
    ///   - h: the feature count.
    ///   - grid: the initial `lambda` grid (positive).
    ///   - progress: one line per `lambda` fitted.
    /// - Precondition: every split is non-empty, features match labels and `grid` is non-empty.
    public static func fit(
        train: ([Float], [Int32]), validation: ([Float], [Int32]), dev: ([Float], [Int32]), width h: Int,
        grid: [Double] = defaultGrid, progress: (String) -> Void = { _ in }
    ) -> LinearProbe {
        precondition(!grid.isEmpty && grid.allSatisfy { $0 > 0 }, "the lambda grid must be non-empty and positive")
        precondition(train.0.count == train.1.count * h && !train.1.isEmpty, "training features must match the labels")
        let n = train.1.count
        var mean = [Double](repeating: 0, count: h)
        var scale = [Double](repeating: 0, count: h)
        for i in 0..<n { for j in 0..<h { mean[j] += Double(train.0[i * h + j]) } }
        for j in 0..<h { mean[j] /= Double(n) }
        for i in 0..<n { for j in 0..<h { let d = Double(train.0[i * h + j]) - mean[j]; scale[j] += d * d } }
        for j in 0..<h { scale[j] = (scale[j] / Double(n)).squareRoot() }
        // A feature that does not vary beyond float32 rounding (encoders have such "massive
        // activation" dimensions) carries no signal, only noise that standardisation would blow
        // up: it is left out (`s_j = infinity`: `u_j = 0`, raw weight 0). Otherwise its raw
        // weight `w_j / s_j` (once 8e7 on MiniLM's dimension 319) turns the slightest change of
        // that feature during fine-tuning into a divergent logit.
        let typical = scale.sorted()[h / 2]
        for j in 0..<h where scale[j] <= Self.constantFeatureTolerance * (abs(mean[j]) + typical) {
            scale[j] = .infinity
        }
        func standardised(_ x: [Float]) -> [Double] {
            var u = [Double](repeating: 0, count: x.count)
            for i in 0..<(x.count / h) { for j in 0..<h { u[i * h + j] = (Double(x[i * h + j]) - mean[j]) / scale[j] } }
            return u
        }
        let trainU = standardised(train.0)
        let validationU = standardised(validation.0)
        var fits: [Double: (weights: [Double], candidate: Candidate)] = [:]
        var lambdas = grid.sorted()
        var warm = [Double](repeating: 0, count: h + 1)
        func run(_ lambda: Double) {
            guard fits[lambda] == nil else { return }
            let (w, iterations) = newton(trainU, train.1, width: h, l2: lambda, start: warm)
            warm = w
            let v = score(w, validationU, validation.1, width: h)
            let t = score(w, trainU, train.1, width: h)
            fits[lambda] = (w, Candidate(l2: lambda, validationAccuracy: v.accuracy, validationLoss: v.loss, trainAccuracy: t.accuracy, iterations: iterations))
            progress("linear probe: lambda \(lambda): validation accuracy \(String(format: "%.4f", v.accuracy)), \(iterations) Newton iterations")
        }
        for lambda in lambdas.reversed() { run(lambda) }
        var widenings = (low: 0, high: 0)
        while true {
            let best = choose(lambdas.map { fits[$0]!.candidate })
            if best.l2 == lambdas.first!, widenings.low < maximumWidenings {
                widenings.low += 1
                lambdas.insert(lambdas.first! / 10, at: 0)
                run(lambdas.first!)
            } else if best.l2 == lambdas.last!, widenings.high < maximumWidenings {
                widenings.high += 1
                lambdas.append(lambdas.last! * 10)
                run(lambdas.last!)
            } else {
                break
            }
        }
        let chosen = choose(lambdas.map { fits[$0]!.candidate })
        let w = fits[chosen.l2]!.weights
        var head = [Float](repeating: 0, count: 2 * (h + 1))
        var bias = w[h]
        for j in 0..<h {
            let raw = w[j] / scale[j]
            head[j] = Float(-raw / 2)
            head[h + j] = Float(raw / 2)
            bias -= raw * mean[j]
        }
        head[2 * h] = Float(-bias / 2)
        head[2 * h + 1] = Float(bias / 2)
        let devScore = headScore(head, dev.0, dev.1, width: h)
        let validationScore = headScore(head, validation.0, validation.1, width: h)
        return LinearProbe(
            head: head, l2: chosen.l2, grid: lambdas.map { fits[$0]!.candidate },
            validationAccuracy: validationScore.accuracy, validationLoss: validationScore.loss,
            devAccuracy: devScore.accuracy, devLoss: devScore.loss, trainCount: n, validationCount: validation.1.count)
    }

    /// The documented rule: highest validation accuracy, ties to the larger `lambda`.
    static func choose(_ candidates: [Candidate]) -> Candidate {
        candidates.max { a, b in
            a.validationAccuracy != b.validationAccuracy ? a.validationAccuracy < b.validationAccuracy : a.l2 < b.l2
        }!
    }

    /// Newton's method with step halving on the regularised logistic loss from `start`
    /// (`h` weights then the intercept); stops when the largest step is below 1e-7 or after 50 iterations.
    static func newton(_ u: [Double], _ labels: [Int32], width h: Int, l2: Double, start: [Double]) -> ([Double], Int) {
        let n = labels.count
        let d = h + 1
        var w = start
        var objective = loss(w, u, labels, width: h, l2: l2)
        var gradient = [Double](repeating: 0, count: d)
        var hessian = [Double](repeating: 0, count: d * d)
        var row = [Double](repeating: 0, count: d)
        for iteration in 1...50 {
            gradient.withUnsafeMutableBufferPointer { g in
                hessian.withUnsafeMutableBufferPointer { H in
                    row.withUnsafeMutableBufferPointer { x in
                        g.update(repeating: 0)
                        H.update(repeating: 0)
                        for i in 0..<n {
                            for j in 0..<h { x[j] = u[i * h + j] }
                            x[h] = 1
                            var z = 0.0
                            for j in 0..<d { z += w[j] * x[j] }
                            let p = 1 / (1 + Foundation.exp(-z))
                            let r = p - Double(labels[i])
                            let a = max(p * (1 - p), 1e-12)
                            for j in 0..<d {
                                g[j] += r * x[j]
                                let scaled = a * x[j]
                                let base = j * d
                                for k in j..<d { H[base + k] += scaled * x[k] }
                            }
                        }
                    }
                }
            }
            for j in 0..<d {
                gradient[j] /= Double(n)
                for k in j..<d { hessian[j * d + k] /= Double(n) }
            }
            for j in 0..<h {
                gradient[j] += l2 * w[j]
                hessian[j * d + j] += l2
            }
            hessian[h * d + h] += 1e-10
            for j in 0..<d { for k in 0..<j { hessian[j * d + k] = hessian[k * d + j] } }
            let step = choleskySolve(hessian, gradient, size: d)
            var t = 1.0
            var candidate = w
            var next = objective
            for _ in 0..<30 {
                for j in 0..<d { candidate[j] = w[j] - t * step[j] }
                next = loss(candidate, u, labels, width: h, l2: l2)
                if next <= objective { break }
                t /= 2
            }
            let largest = step.map { abs($0 * t) }.max() ?? 0
            guard next <= objective else { return (w, iteration) }
            w = candidate
            objective = next
            if largest < 1e-7 { return (w, iteration) }
        }
        return (w, 50)
    }

    /// The regularised mean logistic loss.
    static func loss(_ w: [Double], _ u: [Double], _ labels: [Int32], width h: Int, l2: Double) -> Double {
        var total = 0.0
        for i in 0..<labels.count {
            var z = w[h]
            for j in 0..<h { z += w[j] * u[i * h + j] }
            let signed = labels[i] == 1 ? z : -z
            total += Self.softplusOfNegative(signed)
        }
        var norm = 0.0
        for j in 0..<h { norm += w[j] * w[j] }
        return total / Double(labels.count) + l2 / 2 * norm
    }

    /// Accuracy and mean cross-entropy of the standardised weights `w` on standardised features.
    static func score(_ w: [Double], _ u: [Double], _ labels: [Int32], width h: Int) -> (accuracy: Double, loss: Double) {
        var correct = 0
        var total = 0.0
        for i in 0..<labels.count {
            var z = w[h]
            for j in 0..<h { z += w[j] * u[i * h + j] }
            if (z > 0 ? 1 : 0) == labels[i] { correct += 1 }
            let signed = labels[i] == 1 ? z : -z
            total += Self.softplusOfNegative(signed)
        }
        return (Double(correct) / Double(max(labels.count, 1)), total / Double(max(labels.count, 1)))
    }

    /// Accuracy and mean cross-entropy of a two-class softmax head on raw features (argmax ties to class 0).
    static func headScore(_ head: [Float], _ x: [Float], _ labels: [Int32], width h: Int) -> (accuracy: Double, loss: Double) {
        var correct = 0
        var total = 0.0
        for i in 0..<labels.count {
            var z0 = Double(head[2 * h]), z1 = Double(head[2 * h + 1])
            for j in 0..<h {
                let v = Double(x[i * h + j])
                z0 += Double(head[j]) * v
                z1 += Double(head[h + j]) * v
            }
            if (z1 > z0 ? 1 : 0) == labels[i] { correct += 1 }
            let margin = labels[i] == 1 ? z1 - z0 : z0 - z1
            total += Self.softplusOfNegative(margin)
        }
        return (Double(correct) / Double(max(labels.count, 1)), total / Double(max(labels.count, 1)))
    }

    /// Solves `A x = b` for a symmetric positive definite `A` (size x size, row-major) by Cholesky.
    static func choleskySolve(_ a: [Double], _ b: [Double], size d: Int) -> [Double] {
        var l = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            var diagonal = a[j * d + j]
            for k in 0..<j { diagonal -= l[j * d + k] * l[j * d + k] }
            let root = max(diagonal, 1e-300).squareRoot()
            l[j * d + j] = root
            for i in (j + 1)..<d {
                var value = a[i * d + j]
                for k in 0..<j { value -= l[i * d + k] * l[j * d + k] }
                l[i * d + j] = value / root
            }
        }
        var y = b
        for i in 0..<d {
            for k in 0..<i { y[i] -= l[i * d + k] * y[k] }
            y[i] /= l[i * d + i]
        }
        for i in stride(from: d - 1, through: 0, by: -1) {
            for k in (i + 1)..<d { y[i] -= l[k * d + i] * y[k] }
            y[i] /= l[i * d + i]
        }
        return y
    }
}

extension LinearProbe {
    /// The logistic loss of a margin, `log(1 + exp(-m))`, evaluated without overflow for either
    /// sign. Complexity: O(1).
    static func softplusOfNegative(_ m: Double) -> Double {
        m > 0 ? Foundation.log1p(Foundation.exp(-m)) : -m + Foundation.log1p(Foundation.exp(m))
    }
}
