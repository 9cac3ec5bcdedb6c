import HiSoKernels

extension Network {
    /// Mean softmax cross-entropy and its exact gradient by backpropagation:
    /// `gradient = d/dx (1/count) sum_b CE(f(x; inputs_b), labels_b)`.
    ///
    /// Used by the first-order baselines (FedAvg, FedAdam) and to test zeroth-order estimates.
    ///
    /// - Parameters:
    ///   - parameters: the flat parameter vector, length ``parameterCount``.
    ///   - inputs: `count` samples, one row each.
    ///   - labels: the `count` class labels.
    ///   - count: the batch size.
    ///   - gradient: receives the gradient, length ``parameterCount`` (overwritten, not added to).
    ///   - workspace: made by ``makeWorkspace(batchSize:)``, with room for `count` samples.
    ///   - backend: the kernels.
    /// - Returns: the mean loss at `parameters`.
    /// - Throws: ``ModelError`` for a wrong buffer length, batch size, label or workspace.
    /// - Complexity: about three times the forward GEMM work (forward, input and weight
    ///   gradients). Memory: the first call on a workspace allocates its backward buffers
    ///   (the same size as the forward ones); later calls allocate nothing.
    public func lossAndGradient(
        parameters: UnsafeBufferPointer<Float>, inputs: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>,
        count: Int, gradient: UnsafeMutableBufferPointer<Float>, workspace: NetworkWorkspace, backend: any KernelBackend
    ) throws(ModelError) -> Float {
        try check(parameters: parameters, inputs: inputs, labels: labels, count: count, workspace: workspace)
        guard gradient.count == parameterCount else {
            throw .sizeMismatch(what: "gradient buffer of \(name)", expected: parameterCount, found: gradient.count)
        }
        let x = parameters.baseAddress!
        let input = inputs.baseAddress!
        let logits = runForward(
            parameters: x, inputs: input, count: count, workspace: workspace, backend: backend, keepPreActivations: true)
        let labelPointer = labels.baseAddress!
        let loss = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labelPointer, count: count, classes: classCount)
            .loss
        workspace.prepareGradients()
        SoftmaxCrossEntropy.gradient(
            logits: logits, labels: labelPointer, count: count, classes: classCount,
            into: workspace.gradients[plan.logits])
        runBackward(
            parameters: x, inputs: input, count: count, gradient: gradient.baseAddress!, workspace: workspace,
            backend: backend)
        return loss
    }

    /// Backpropagates from the logits gradient (already in the workspace) to `gradient`.
    func runBackward(
        parameters x: UnsafePointer<Float>, inputs: UnsafePointer<Float>, count: Int,
        gradient g: UnsafeMutablePointer<Float>, workspace ws: NetworkWorkspace, backend: any KernelBackend
    ) {
        let input = ExecutionPlan.inputBuffer
        func read(_ id: Int) -> UnsafePointer<Float> {
            id == input ? inputs : UnsafePointer(ws.activations[id])
        }
        for step in plan.steps.reversed() {
            switch step {
            case .linear(let l):
                let dOut = ws.gradients[l.output]
                if l.relu {
                    Activation.maskByPositive(dOut, output: ws.activations[l.output], count: count * l.outputs)
                }
                backend.gemm(
                    transA: true, transB: false, m: l.outputs, n: l.inputs, k: count, alpha: 1,
                    a: dOut, lda: l.outputs, b: read(l.input), ldb: l.inputs, beta: 0, c: g + l.weight, ldc: l.inputs)
                Activation.columnSums(dOut, rows: count, columns: l.outputs, into: g + l.bias)
                if l.input != input {
                    backend.gemm(
                        transA: false, transB: false, m: count, n: l.inputs, k: l.outputs, alpha: 1,
                        a: dOut, lda: l.outputs, b: x + l.weight, ldb: l.inputs, beta: 0, c: ws.gradients[l.input],
                        ldc: l.inputs)
                }

            case .conv(let c):
                let n = count * c.outPlane
                let dZ = ws.gradients[c.output]
                if c.pool > 0 {
                    MaxPooling.backward(
                        input: ws.activations[c.output], layout: .cbhw, geometry: c.poolGeometry, count: count,
                        output: ws.activations[c.pooled], dOutput: ws.gradients[c.pooled], relu: c.relu,
                        dInput: dZ, biasGradient: g + c.bias)
                } else {
                    if c.relu {
                        Activation.maskByPositive(dZ, output: ws.activations[c.output], count: c.outChannels * n)
                    }
                    Activation.rowSums(dZ, rows: c.outChannels, length: n, into: g + c.bias)
                }
                let padded = c.paddedInput.map { UnsafePointer(ws.activations[$0]) }
                let needsInput = c.input != input
                if needsInput {
                    ws.gradients[c.input].update(repeating: 0, count: count * plan.buffers[c.input].perSample)
                }
                for samples in plan.columnChunks(c, count: count) {
                    let columns = samples.count * c.outPlane
                    let dZChunk = dZ + samples.lowerBound * c.outPlane
                    ConvolutionLowering.im2col(
                        input: read(c.input), padded: padded, step: c, count: count, samples: samples, cols: ws.cols,
                        backend: backend)
                    backend.gemm(
                        transA: false, transB: true, m: c.outChannels, n: c.patch, k: columns, alpha: 1,
                        a: dZChunk, lda: n, b: ws.cols, ldb: columns, beta: samples.lowerBound == 0 ? 0 : 1,
                        c: g + c.weight, ldc: c.patch)
                    if needsInput, let dCols = ws.columnGradients {
                        backend.gemm(
                            transA: true, transB: false, m: c.patch, n: columns, k: c.outChannels, alpha: 1,
                            a: x + c.weight, lda: c.patch, b: dZChunk, ldb: n, beta: 0, c: dCols, ldc: columns)
                        ConvolutionLowering.col2im(
                            columns: dCols, step: c, count: count, samples: samples, dInput: ws.gradients[c.input],
                            layout: c.inputLayout)
                    }
                }

            case .pool(let p):
                if p.input != input {
                    MaxPooling.backward(
                        input: read(p.input), layout: p.inputLayout, geometry: p.geometry, count: count,
                        output: ws.activations[p.output], dOutput: ws.gradients[p.output], relu: false,
                        dInput: ws.gradients[p.input], biasGradient: nil)
                }

            case .relu(let r):
                if r.input != input {
                    Activation.maskByPositive(
                        ws.gradients[r.output], output: ws.activations[r.output], into: ws.gradients[r.input],
                        count: count * r.perSample)
                }

            case .transpose(let t):
                Activation.transposeBack(
                    ws.gradients[t.output], into: ws.gradients[t.input], channels: t.channels, plane: t.plane,
                    count: count)
            }
        }
    }
}
