import HiSoKernels

extension Network {
    /// Computes the logits `f(x; inputs)` for `count` samples.
    ///
    /// - Parameters:
    ///   - parameters: the flat parameter vector `x` (length ``parameterCount``), read in place.
    ///   - inputs: row-major `[count, inputFeatures]` floats.
    ///   - count: batch size, `1 ... workspace.capacity`.
    ///   - workspace: made by this network's ``makeWorkspace(batchSize:)``.
    ///   - backend: runs the GEMMs.
    /// - Returns: a view of `[count, classCount]` logits inside `workspace`, valid until its next use.
    /// - Throws: ``ModelError`` when a buffer length, the batch size or the workspace is wrong.
    /// - Complexity: one GEMM per Linear layer, per im2col block of a Conv2d layer, or `k` per
    ///   sample of a row-split one (``forwardGEMMs(count:blocked:)`` lists them), plus
    ///   linear-time padding, patch gathers, weight reordering, bias, ReLU and pooling passes.
    ///   Memory: none allocated.
    public func forward(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, count: Int,
        workspace: NetworkWorkspace, backend: any KernelBackend
    ) throws(ModelError) -> UnsafeBufferPointer<Float> {
        try check(parameters: parameters, inputs: inputs, labels: nil, count: count, workspace: workspace)
        let logits = runForward(
            parameters: parameters.baseAddress!, inputs: inputs.baseAddress!, count: count, workspace: workspace,
            backend: backend)
        return UnsafeBufferPointer(start: logits, count: count * classCount)
    }

    /// Mean softmax cross-entropy `(1/count) sum_b CE(f(x; inputs_b), labels_b)`.
    ///
    /// The zeroth-order hot path: call it on `x + mu z` without copying `x`.
    /// Parameters and errors as ``forward(parameters:inputs:count:workspace:backend:)``; `labels`
    /// holds `count` class indices (a label outside `0 ..< classCount` throws
    /// ``ModelError/labelOutOfRange(sample:label:classCount:)``).
    public func loss(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>,
        count: Int, workspace: NetworkWorkspace, backend: any KernelBackend
    ) throws(ModelError) -> Float {
        try evaluate(
            parameters: parameters, inputs: inputs, labels: labels, count: count, workspace: workspace, backend: backend
        ).loss
    }

    /// Mean loss and the number of correct predictions on one batch.
    ///
    /// Parameters and errors as ``loss(parameters:inputs:labels:count:workspace:backend:)``.
    public func evaluate(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>,
        count: Int, workspace: NetworkWorkspace, backend: any KernelBackend
    ) throws(ModelError) -> Evaluation {
        try check(parameters: parameters, inputs: inputs, labels: labels, count: count, workspace: workspace)
        let logits = runForward(
            parameters: parameters.baseAddress!, inputs: inputs.baseAddress!, count: count, workspace: workspace,
            backend: backend)
        let r = SoftmaxCrossEntropy.evaluate(
            logits: logits, labels: labels.baseAddress!, count: count, classes: classCount)
        return Evaluation(loss: r.loss, correct: r.correct, count: count)
    }

    /// Validates every buffer at the API boundary.
    func check(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>?,
        count: Int, workspace: NetworkWorkspace
    ) throws(ModelError) {
        guard workspace.plan == plan else { throw .workspaceMismatch }
        guard count >= 1 else { throw .emptyBatch }
        guard count <= workspace.capacity else { throw .batchTooLarge(count: count, capacity: workspace.capacity) }
        guard parameters.count == parameterCount else {
            throw .sizeMismatch(what: "parameter vector of \(name)", expected: parameterCount, found: parameters.count)
        }
        guard inputs.count == count * inputFeatures else {
            if count > 0, inputs.count % count == 0 {
                throw .inputFeatureMismatch(expected: inputFeatures, found: inputs.count / count)
            }
            throw .sizeMismatch(
                what: "inputs (\(count) samples x \(inputFeatures) features)", expected: count * inputFeatures,
                found: inputs.count)
        }
        guard let labels else { return }
        guard labels.count == count else {
            throw .sizeMismatch(what: "labels", expected: count, found: labels.count)
        }
        for b in 0..<count where labels[b] < 0 || Int(labels[b]) >= classCount {
            throw .labelOutOfRange(sample: b, label: labels[b], classCount: classCount)
        }
    }

    /// The compiled forward pass; returns the logits pointer inside `workspace`.
    ///
    /// A pooled convolution normally finishes each im2col block on the spot: its GEMM writes the
    /// block's `[outChannels, samples * OH * OW]` result contiguously at the start of the
    /// convolution's output buffer, and the fused bias + ReLU + pooling reads it back while it is
    /// still in cache. Backpropagation needs the whole pre-pooling output, so with
    /// `keepPreActivations` every block lands in its `cbhw` place (row stride `count * OH * OW`)
    /// and the pooling runs once over the batch. Both give the same bits: the same GEMM per
    /// block, the same pooling arithmetic.
    func runForward(
        parameters x: UnsafePointer<Float>, inputs: UnsafePointer<Float>, count: Int,
        workspace ws: NetworkWorkspace, backend: any KernelBackend, keepPreActivations: Bool = false
    ) -> UnsafePointer<Float> {
        func read(_ id: Int) -> UnsafePointer<Float> {
            id == ExecutionPlan.inputBuffer ? inputs : UnsafePointer(ws.activations[id])
        }
        // Indices, not `for step in plan.steps`: unspecialised iteration over an array of
        // enums heap-allocates each element in debug builds, and this loop runs per loss call.
        for index in plan.steps.indices {
            switch plan.steps[index] {
            case .linear(let l):
                let out = ws.activations[l.output]
                backend.gemm(
                    transA: false, transB: true, m: count, n: l.outputs, k: l.inputs, alpha: 1,
                    a: read(l.input), lda: l.inputs, b: x + l.weight, ldb: l.inputs, beta: 0, c: out, ldc: l.outputs)
                Activation.addRowBias(out, rows: count, columns: l.outputs, bias: x + l.bias, relu: l.relu)

            case .conv(let c):
                let n = count * c.outPlane
                if let id = c.paddedInput {
                    ConvolutionLowering.pad(
                        read(c.input), layout: c.inputLayout, step: c, count: count, into: ws.activations[id])
                }
                let padded = c.paddedInput.map { UnsafePointer(ws.activations[$0]) }
                let z = ws.activations[c.output]
                let poolPerBlock = c.pool > 0 && !keepPreActivations
                let blocks = c.splitsKernelRows ? SampleBlocks(count: count, block: 1) : plan.columnChunks(c, count: count)
                if c.splitsKernelRows {
                    ConvolutionLowering.splitWeights(x + c.weight, step: c, into: ws.splitWeights)
                }
                for samples in blocks {
                    let columns = samples.count * c.outPlane
                    let out = poolPerBlock ? z : z + samples.lowerBound * c.outPlane
                    let ldc = poolPerBlock ? columns : n
                    if c.splitsKernelRows {
                        ConvolutionLowering.rowSplitConvolution(
                            input: read(c.input), padded: padded, step: c, count: count, sample: samples.lowerBound,
                            weights: ws.splitWeights, scratch: ws.cols, output: out, ldc: ldc, backend: backend)
                    } else {
                        ConvolutionLowering.im2col(
                            input: read(c.input), padded: padded, step: c, count: count, samples: samples,
                            cols: ws.cols, backend: backend)
                        backend.gemm(
                            transA: false, transB: false, m: c.outChannels, n: columns, k: c.patch, alpha: 1,
                            a: x + c.weight, lda: c.patch, b: ws.cols, ldb: columns, beta: 0, c: out, ldc: ldc)
                    }
                    if poolPerBlock {
                        MaxPooling.forward(
                            input: z, layout: .cbhw, geometry: c.poolGeometry, count: samples.count, bias: x + c.bias,
                            relu: c.relu,
                            output: ws.activations[c.pooled] + samples.lowerBound * c.outChannels * c.poolPlane)
                    }
                }
                if c.pool == 0 {
                    Activation.addChannelBias(z, channels: c.outChannels, length: n, bias: x + c.bias, relu: c.relu)
                } else if !poolPerBlock {
                    MaxPooling.forward(
                        input: z, layout: .cbhw, geometry: c.poolGeometry, count: count, bias: x + c.bias,
                        relu: c.relu, output: ws.activations[c.pooled])
                }

            case .pool(let p):
                MaxPooling.forward(
                    input: read(p.input), layout: p.inputLayout, geometry: p.geometry, count: count, bias: nil,
                    relu: false, output: ws.activations[p.output])

            case .relu(let r):
                Activation.relu(read(r.input), into: ws.activations[r.output], count: count * r.perSample)

            case .transpose(let t):
                Activation.transpose(
                    read(t.input), into: ws.activations[t.output], channels: t.channels, plane: t.plane, count: count)
            }
        }
        return UnsafePointer(ws.activations[plan.logits])
    }
}

extension ConvStep {
    /// Whether the forward pass lowers this convolution by kernel rows instead of im2col: stride
    /// 1 and at least 32 rows `C * k` per kernel row (so each GEMM keeps a useful depth).
    ///
    /// Then, per sample, `R[(c, v), (h, j)] = x[c, h, j + v]` (`C k` rows, `H' * OW` columns
    /// for the `H'` input rows, padded ones included: a 1 x k patch gather writing `k`
    /// copies of the input instead of im2col's `k^2`), and
    /// `z = sum_u W_u * R[:, u*OW ..< u*OW + OH*OW]` with `W_u[co, (c, v)] = W[co, c, u, v]`:
    /// `k` GEMMs of depth `C k` reading windows of `R` (row stride `H' * OW`). On CNN_MNIST's
    /// second convolution the patch matrix shrinks from 78,400 to 20,160 floats per sample.
    var splitsKernelRows: Bool { stride == 1 && inChannels * kernel >= 32 }

    /// Input rows `H'` the row split gathers: the padded height when padded.
    var rowSplitRows: Int { inHeight + 2 * padding }

    /// Floats of one sample's pooled output in one channel, `poolHeight * poolWidth`.
    var poolPlane: Int { poolHeight * poolWidth }

    /// The fused pooling's geometry over the convolution output.
    var poolGeometry: MaxPooling.Geometry {
        MaxPooling.Geometry(
            channels: outChannels, height: outHeight, width: outWidth, kernel: pool,
            outHeight: poolHeight, outWidth: poolWidth)
    }
}

extension PoolStep {
    /// This step's geometry.
    var geometry: MaxPooling.Geometry {
        MaxPooling.Geometry(
            channels: channels, height: height, width: width, kernel: kernel, outHeight: outHeight, outWidth: outWidth)
    }
}
