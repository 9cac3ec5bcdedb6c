extension ExecutionPlan {
    /// Compiles a layer list into fused steps, checking every shape.
    ///
    /// Fusions: `Conv2d` absorbs a following `ReLU` and/or `MaxPool2d` (in either order, which
    /// give the same values); `Linear` absorbs a following `ReLU`. A `Flatten` is free on `bchw`
    /// data and a transpose on `cbhw` data.
    ///
    /// - Returns: the plan and the parameter slices in flat-vector order.
    /// - Throws: ``ModelError/invalidArchitecture(layer:reason:)`` on any inconsistency.
    static func compile(
        layers: [Layer], inputShape: TensorShape
    ) throws(ModelError) -> (plan: ExecutionPlan, slices: [ParameterSlice], outputShape: TensorShape) {
        guard inputShape.channels >= 1, inputShape.height >= 1, inputShape.width >= 1 else {
            throw .invalidArchitecture(layer: 0, reason: "input shape \(inputShape) must be positive")
        }
        var steps: [Step] = []
        var buffers: [BufferSpec] = []
        var slices: [ParameterSlice] = []
        var offset = 0
        var shape = inputShape
        var current = inputBuffer
        var layout = ActivationLayout.bchw

        func newBuffer(_ s: TensorShape, _ l: ActivationLayout) -> Int {
            buffers.append(BufferSpec(shape: s, layout: l))
            return buffers.count - 1
        }
        func addSlices(_ index: Int, weightShape: [Int], outputs: Int, fanIn: Int) -> (Int, Int) {
            let w = weightShape.reduce(1, *)
            slices.append(
                ParameterSlice(
                    name: "\(index).weight", layerIndex: index, offset: offset, count: w, shape: weightShape,
                    fanIn: fanIn))
            slices.append(
                ParameterSlice(
                    name: "\(index).bias", layerIndex: index, offset: offset + w, count: outputs, shape: [outputs],
                    fanIn: fanIn))
            defer { offset += w + outputs }
            return (offset, offset + w)
        }
        func transposeToBCHW() {
            guard layout == .cbhw else { return }
            let out = newBuffer(shape, .bchw)
            steps.append(
                .transpose(
                    TransposeStep(
                        input: current, output: out, channels: shape.channels, plane: shape.height * shape.width)))
            current = out
            layout = .bchw
        }

        var i = 0
        while i < layers.count {
            let layer = layers[i]
            switch layer {
            case .linear(let inputs, let outputs):
                guard inputs >= 1, outputs >= 1 else {
                    throw .invalidArchitecture(layer: i, reason: "\(layer) needs positive sizes")
                }
                guard shape.isFlat else {
                    throw .invalidArchitecture(
                        layer: i, reason: "\(layer) needs a flat input, found \(shape) (add .flatten)")
                }
                guard shape.channels == inputs else {
                    throw .invalidArchitecture(
                        layer: i, reason: "\(layer) expects \(inputs) inputs, previous output has \(shape.channels)")
                }
                transposeToBCHW()
                let (w, b) = addSlices(i, weightShape: [outputs, inputs], outputs: outputs, fanIn: inputs)
                let relu = i + 1 < layers.count && layers[i + 1] == .relu
                shape = .flat(outputs)
                let out = newBuffer(shape, .bchw)
                steps.append(
                    .linear(
                        LinearStep(
                            layer: i, weight: w, bias: b, inputs: inputs, outputs: outputs, input: current, output: out,
                            relu: relu)))
                current = out
                i += relu ? 2 : 1

            case .conv2d(let inC, let outC, let k, let stride, let padding):
                guard inC >= 1, outC >= 1, k >= 1, stride >= 1, padding >= 0 else {
                    throw .invalidArchitecture(
                        layer: i, reason: "\(layer) needs positive channels, kernel, stride and non-negative padding")
                }
                guard shape.channels == inC else {
                    throw .invalidArchitecture(
                        layer: i, reason: "\(layer) expects \(inC) input channels, found \(shape)")
                }
                let inShape = shape
                let oh = (shape.height + 2 * padding - k) / stride + 1
                let ow = (shape.width + 2 * padding - k) / stride + 1
                guard shape.height + 2 * padding >= k, shape.width + 2 * padding >= k else {
                    throw .invalidArchitecture(layer: i, reason: "\(layer) kernel larger than padded input \(shape)")
                }
                let (w, b) = addSlices(i, weightShape: [outC, inC, k, k], outputs: outC, fanIn: inC * k * k)
                var relu = false
                var pool = 0
                var j = i + 1
                while j < layers.count, j <= i + 2 {
                    if layers[j] == .relu, !relu {
                        relu = true
                    } else if case .maxPool2d(let pk) = layers[j], pool == 0, pk >= 1, pk <= oh, pk <= ow {
                        pool = pk
                    } else {
                        break
                    }
                    j += 1
                }
                let convShape = TensorShape(channels: outC, height: oh, width: ow)
                let out = newBuffer(convShape, .cbhw)
                var pooled = -1
                var ph = 0
                var pw = 0
                if pool > 0 {
                    ph = oh / pool
                    pw = ow / pool
                    shape = TensorShape(channels: outC, height: ph, width: pw)
                    pooled = newBuffer(shape, .bchw)
                } else {
                    shape = convShape
                }
                let padded =
                    padding > 0
                    ? newBuffer(
                        TensorShape(
                            channels: inC, height: inShape.height + 2 * padding, width: inShape.width + 2 * padding),
                        .bchw)
                    : nil
                let step = ConvStep(
                    layer: i, weight: w, bias: b, inChannels: inC, outChannels: outC, kernel: k, stride: stride,
                    padding: padding, inHeight: inShape.height, inWidth: inShape.width, outHeight: oh, outWidth: ow,
                    input: current, inputLayout: layout, paddedInput: padded, output: out,
                    relu: relu, pool: pool, pooled: pooled, poolHeight: ph, poolWidth: pw)
                steps.append(.conv(step))
                current = step.result
                layout = pool > 0 ? .bchw : .cbhw
                i = j

            case .relu:
                let out = newBuffer(shape, layout)
                steps.append(.relu(ReLUStep(input: current, output: out, perSample: shape.count)))
                current = out
                i += 1

            case .maxPool2d(let k):
                guard k >= 1, k <= shape.height, k <= shape.width else {
                    throw .invalidArchitecture(layer: i, reason: "\(layer) does not fit input \(shape)")
                }
                let outShape = TensorShape(channels: shape.channels, height: shape.height / k, width: shape.width / k)
                let out = newBuffer(outShape, .bchw)
                steps.append(
                    .pool(
                        PoolStep(
                            input: current, inputLayout: layout, output: out, channels: shape.channels,
                            height: shape.height,
                            width: shape.width, kernel: k, outHeight: outShape.height, outWidth: outShape.width)))
                shape = outShape
                current = out
                layout = .bchw
                i += 1

            case .flatten:
                transposeToBCHW()
                shape = .flat(shape.count)
                i += 1
            }
        }
        guard shape.isFlat, shape.channels >= 2 else {
            throw .invalidArchitecture(
                layer: layers.count,
                reason: "the output must be a flat vector of at least 2 class scores, found \(shape)")
        }
        guard !slices.isEmpty else {
            throw .invalidArchitecture(layer: 0, reason: "the network has no layer with parameters")
        }
        transposeToBCHW()
        let plan = ExecutionPlan(steps: steps, buffers: buffers, logits: current)
        return (plan, slices, shape)
    }
}
