import HiSoOptim

extension LocalTrainer {
    /// Runs a client's round (``LocalTrainer/run(at:scale:runSeed:round:learningRate:scalars:loss:)``)
    /// and packs its `tau q` scalars (`q` = `ZOEstimator.scalarsPerStep`: `P`, or `2 P` with
    /// curvature) and first loss into the upload the client sends.
    ///
    /// - Complexity: as the round; memory: the `tau q`-float upload.
    mutating func upload(
        client: Int, round: UInt64, at x: UnsafeBufferPointer<Float>, scale: UnsafeBufferPointer<Float>?,
        runSeed: UInt64, learningRate: Float,
        loss: (_ parameters: UnsafeBufferPointer<Float>, _ step: Int) throws -> Float
    ) rethrows -> ClientUpload {
        var scalars = [Float](repeating: 0, count: localSteps * estimator.scalarsPerStep)
        let first = try scalars.withUnsafeMutableBufferPointer { out in
            try run(
                at: x, scale: scale, runSeed: runSeed, round: round, learningRate: learningRate, scalars: out, loss: loss)
        }
        return ClientUpload(client: client, round: round, scalars: scalars, loss: first)
    }
}
