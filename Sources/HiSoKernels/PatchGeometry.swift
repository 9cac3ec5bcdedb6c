/// Where the patches of a 2-D convolution come from: the input planes, the window and the
/// output grid (see ``PatchKernels/gatherPatches(_:source:samples:into:)``).
///
/// The source holds, for sample `b` and channel `c`, a `height x width` row-major plane at
/// `source + c * channelStride + b * sampleStride`. Padding is the caller's business: pass an
/// already padded plane (its zero border included in `height` and `width`).
public struct PatchGeometry: Sendable, Hashable {
    /// Input channels `C`.
    public let channels: Int
    /// Floats between the planes of two consecutive channels of one sample.
    public let channelStride: Int
    /// Floats between the planes of one channel of two consecutive samples.
    public let sampleStride: Int
    /// Row stride of a plane (its width), in floats.
    public let width: Int
    /// Window side `k` (square windows).
    public let kernel: Int
    /// Window step `s` in both directions.
    public let stride: Int
    /// Output rows `OH`; window row `i` starts at plane row `i * s`.
    public let outHeight: Int
    /// Output columns `OW`; window column `j` starts at plane column `j * s`.
    public let outWidth: Int

    /// Rows of the patch matrix, `C * k * k`.
    public var patch: Int { channels * kernel * kernel }
    /// Output pixels per sample, `OH * OW`.
    public var outPlane: Int { outHeight * outWidth }

    /// - Precondition: every size at least 1, strides not negative.
    public init(
        channels: Int, channelStride: Int, sampleStride: Int, width: Int, kernel: Int, stride: Int,
        outHeight: Int, outWidth: Int
    ) {
        precondition(
            channels >= 1 && kernel >= 1 && stride >= 1 && outHeight >= 1 && outWidth >= 1 && width >= 1,
            "patch geometry sizes must be at least 1")
        precondition(channelStride >= 0 && sampleStride >= 0, "patch geometry strides must not be negative")
        self.channels = channels
        self.channelStride = channelStride
        self.sampleStride = sampleStride
        self.width = width
        self.kernel = kernel
        self.stride = stride
        self.outHeight = outHeight
        self.outWidth = outWidth
    }
}
