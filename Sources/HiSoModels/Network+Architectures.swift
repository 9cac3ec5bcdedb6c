extension Network {
    /// Multinomial logistic regression: one `Linear(features -> classes)`.
    ///
    /// Parameters: `classes * features + classes` (650 for 64 features, 10 classes).
    /// - Throws: ``ModelError/invalidArchitecture(layer:reason:)`` for sizes below 1 (features) or 2 (classes).
    public static func logisticRegression(features: Int, classes: Int) throws(ModelError) -> Network {
        try Network(
            name: "logreg_\(features)_\(classes)", inputShape: .flat(features),
            layers: [.linear(inputs: features, outputs: classes)])
    }

    /// Multi-layer perceptron `Linear, ReLU, ..., Linear` with the given widths
    /// (`[64, 32, 10]` is the digits MLP with 2,410 parameters; `[784, 256, 10]` has 203,530).
    ///
    /// - Parameter widths: input features, hidden widths, classes (at least two entries).
    /// - Throws: ``ModelError/invalidArchitecture(layer:reason:)`` for fewer than 2 widths or a width below 1.
    public static func mlp(widths: [Int]) throws(ModelError) -> Network {
        guard widths.count >= 2 else {
            throw .invalidArchitecture(
                layer: 0, reason: "an MLP needs at least an input and an output width, found \(widths)")
        }
        var layers: [Layer] = []
        for i in 0..<widths.count - 1 {
            if i > 0 { layers.append(.relu) }
            layers.append(.linear(inputs: widths[i], outputs: widths[i + 1]))
        }
        let name = "mlp_" + widths.map(String.init).joined(separator: "_")
        return try Network(name: name, inputShape: .flat(widths[0]), layers: layers)
    }

    /// The peer's `CNN_MNIST` on `[1, 28, 28]` images: conv 1->16 k5 p2, ReLU, maxpool 2,
    /// conv 16->32 k5 p2, ReLU, maxpool 2, flatten, linear 1568->10. 28,938 parameters.
    public static func cnnMNIST() throws(ModelError) -> Network {
        try Network(
            name: "cnn_mnist", inputShape: TensorShape(channels: 1, height: 28, width: 28),
            layers: [
                .conv2d(inChannels: 1, outChannels: 16, kernel: 5, padding: 2), .relu, .maxPool2d(kernel: 2),
                .conv2d(inChannels: 16, outChannels: 32, kernel: 5, padding: 2), .relu, .maxPool2d(kernel: 2),
                .flatten, .linear(inputs: 1568, outputs: 10),
            ])
    }

    /// The peer's `CNN_FMNIST` on `[1, 28, 28]` images: conv 1->32 k3, ReLU, conv 32->64 k3,
    /// ReLU, maxpool 2, flatten, linear 9216->128, ReLU, linear 128->10. 1,199,882 parameters.
    public static func cnnFMNIST() throws(ModelError) -> Network {
        try Network(
            name: "cnn_fmnist", inputShape: TensorShape(channels: 1, height: 28, width: 28),
            layers: [
                .conv2d(inChannels: 1, outChannels: 32, kernel: 3), .relu,
                .conv2d(inChannels: 32, outChannels: 64, kernel: 3), .relu, .maxPool2d(kernel: 2),
                .flatten, .linear(inputs: 9216, outputs: 128), .relu, .linear(inputs: 128, outputs: 10),
            ])
    }
}
