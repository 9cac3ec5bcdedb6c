import HiSoModels

/// Small architectures that together exercise every layer, fusion and layout path.
enum SmallNetworks {
    /// `(name, network)` pairs; every layer kind, stride/padding, pooling before and after ReLU,
    /// odd sizes that pooling truncates, standalone ReLU/pool, a conv reading a conv, a conv as
    /// the last layer, and convolutions lowered by kernel rows.
    static func all() throws -> [(String, Network)] {
        [
            ("logreg", try .logisticRegression(features: 5, classes: 3)),
            ("mlp", try .mlp(widths: [6, 5, 4, 3])),
            (
                "conv_relu_pool",
                try Network(
                    name: "conv_relu_pool", inputShape: TensorShape(channels: 2, height: 6, width: 6),
                    layers: [
                        .conv2d(inChannels: 2, outChannels: 3, kernel: 3, padding: 1), .relu, .maxPool2d(kernel: 2),
                        .flatten, .linear(inputs: 27, outputs: 3),
                    ])
            ),
            (
                "conv_pool_relu_odd",
                try Network(
                    name: "conv_pool_relu_odd", inputShape: TensorShape(channels: 1, height: 6, width: 6),
                    layers: [
                        .conv2d(inChannels: 1, outChannels: 2, kernel: 2), .maxPool2d(kernel: 2), .relu,
                        .flatten, .linear(inputs: 8, outputs: 3),
                    ])
            ),
            (
                "conv_stride_relu",
                try Network(
                    name: "conv_stride_relu", inputShape: TensorShape(channels: 2, height: 7, width: 7),
                    layers: [
                        .conv2d(inChannels: 2, outChannels: 3, kernel: 3, stride: 2, padding: 1), .relu,
                        .flatten, .linear(inputs: 48, outputs: 4),
                    ])
            ),
            (
                "standalone_pool_relu_conv_last",
                try Network(
                    name: "standalone", inputShape: TensorShape(channels: 2, height: 4, width: 4),
                    layers: [.maxPool2d(kernel: 2), .relu, .conv2d(inChannels: 2, outChannels: 3, kernel: 2)])
            ),
            (
                "conv_conv_pool",
                try Network(
                    name: "conv_conv_pool", inputShape: TensorShape(channels: 1, height: 6, width: 6),
                    layers: [
                        .conv2d(inChannels: 1, outChannels: 2, kernel: 3, padding: 1), .relu,
                        .conv2d(inChannels: 2, outChannels: 3, kernel: 3), .relu, .maxPool2d(kernel: 2),
                        .flatten, .linear(inputs: 12, outputs: 3),
                    ])
            ),
            (
                "conv_flatten_relu_pool3",
                try Network(
                    name: "conv_flatten_relu", inputShape: TensorShape(channels: 1, height: 7, width: 7),
                    layers: [
                        .conv2d(inChannels: 1, outChannels: 2, kernel: 2, padding: 1), .maxPool2d(kernel: 3),
                        .conv2d(inChannels: 2, outChannels: 2, kernel: 1), .flatten, .relu,
                        .linear(inputs: 8, outputs: 3),
                    ])
            ),
            (
                // Both convolutions split kernel rows (C * k >= 32): the first reads the caller's
                // bchw input unpadded, the second a cbhw convolution output through padding.
                "row_split_convs",
                try Network(
                    name: "row_split_convs", inputShape: TensorShape(channels: 8, height: 7, width: 7),
                    layers: [
                        .conv2d(inChannels: 8, outChannels: 8, kernel: 4), .relu,
                        .conv2d(inChannels: 8, outChannels: 3, kernel: 4, padding: 1), .maxPool2d(kernel: 2), .relu,
                        .flatten, .linear(inputs: 3, outputs: 3),
                    ])
            ),
        ]
    }
}
