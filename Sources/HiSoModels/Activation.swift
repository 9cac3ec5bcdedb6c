/// Bias addition, ReLU and their backward passes, on contiguous rows.
enum Activation {
    /// `data[r, j] = relu?(data[r, j] + bias[j])` for a `rows x columns` row-major matrix
    /// (the linear layer: bias along the row).
    ///
    /// Complexity: one read-modify-write pass.
    static func addRowBias(
        _ data: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>, relu: Bool
    ) {
        for r in 0..<rows {
            let row = data + r &* columns
            if relu {
                for j in 0..<columns { row[j] = max(row[j] + bias[j], 0) }
            } else {
                for j in 0..<columns { row[j] = row[j] + bias[j] }
            }
        }
    }

    /// `data[c, t] = relu?(data[c, t] + bias[c])` for `channels` rows of `length` values
    /// (the `cbhw` convolution output: one bias per row).
    static func addChannelBias(
        _ data: UnsafeMutablePointer<Float>, channels: Int, length: Int, bias: UnsafePointer<Float>, relu: Bool
    ) {
        for c in 0..<channels {
            let row = data + c &* length
            let b = bias[c]
            if relu {
                for j in 0..<length { row[j] = max(row[j] + b, 0) }
            } else {
                for j in 0..<length { row[j] = row[j] + b }
            }
        }
    }

    /// `output[i] = max(input[i], 0)`.
    static func relu(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { output[i] = max(input[i], 0) }
    }

    /// ReLU backward through the stored output: `grad[i] = output[i] > 0 ? grad[i] : 0`.
    static func maskByPositive(_ grad: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { grad[i] = output[i] > 0 ? grad[i] : 0 }
    }

    /// `into[i] = output[i] > 0 ? grad[i] : 0` (ReLU backward into a separate buffer).
    static func maskByPositive(
        _ grad: UnsafePointer<Float>, output: UnsafePointer<Float>, into dInput: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { dInput[i] = output[i] > 0 ? grad[i] : 0 }
    }

    /// `sums[j] = sum_r data[r, j]` (bias gradient of a linear layer).
    static func columnSums(
        _ data: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        sums.update(repeating: 0, count: columns)
        for r in 0..<rows {
            let row = data + r &* columns
            for j in 0..<columns { sums[j] += row[j] }
        }
    }

    /// `sums[c] = sum_t data[c, t]` (bias gradient of a convolution in `cbhw`), summed in 8 lanes.
    static func rowSums(_ data: UnsafePointer<Float>, rows: Int, length: Int, into sums: UnsafeMutablePointer<Float>) {
        for c in 0..<rows {
            let row = UnsafeRawPointer(data + c &* length)
            var lanes = SIMD8<Float>()
            var j = 0
            while j &+ 8 <= length {
                lanes += row.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                j &+= 8
            }
            var acc = lanes.sum()
            while j < length {
                acc += row.load(fromByteOffset: j &* 4, as: Float.self)
                j &+= 1
            }
            sums[c] = acc
        }
    }

    /// `cbhw -> bchw`: `output[b, c, t] = input[c, b, t]` with `plane` values per (c, b).
    static func transpose(
        _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, channels: Int, plane: Int, count: Int
    ) {
        for c in 0..<channels {
            for b in 0..<count {
                (output + (b &* channels &+ c) &* plane).update(from: input + (c &* count &+ b) &* plane, count: plane)
            }
        }
    }

    /// `bchw -> cbhw`: the adjoint of ``transpose(_:into:channels:plane:count:)``.
    static func transposeBack(
        _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, channels: Int, plane: Int, count: Int
    ) {
        for c in 0..<channels {
            for b in 0..<count {
                (output + (c &* count &+ b) &* plane).update(from: input + (b &* channels &+ c) &* plane, count: plane)
            }
        }
    }
}
