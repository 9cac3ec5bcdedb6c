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
    /// Window rows `kh`.
    public let kernelHeight: Int
    /// Window columns `kw`.
    public let kernelWidth: Int
    /// Window step `s` in both directions.
    public let stride: Int
    /// Output rows `OH`; window row `i` starts at plane row `i * s`.
    public let outHeight: Int
    /// Output columns `OW`; window column `j` starts at plane column `j * s`.
    public let outWidth: Int

    /// Rows of the patch matrix, `C * kh * kw`.
    public var patch: Int { channels * kernelHeight * kernelWidth }
    /// Output pixels per sample, `OH * OW`.
    public var outPlane: Int { outHeight * outWidth }

    /// A square `k x k` window.
    public init(
        channels: Int, channelStride: Int, sampleStride: Int, width: Int, kernel: Int, stride: Int,
        outHeight: Int, outWidth: Int
    ) {
        self.init(
            channels: channels, channelStride: channelStride, sampleStride: sampleStride, width: width,
            kernelHeight: kernel, kernelWidth: kernel, stride: stride, outHeight: outHeight, outWidth: outWidth)
    }

    /// A `kh x kw` window.
    ///
    /// - Precondition: every size at least 1, strides not negative.
    public init(
        channels: Int, channelStride: Int, sampleStride: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
        stride: Int, outHeight: Int, outWidth: Int
    ) {
        precondition(
            channels >= 1 && kernelHeight >= 1 && kernelWidth >= 1 && stride >= 1 && outHeight >= 1 && outWidth >= 1
                && width >= 1,
            "patch geometry sizes must be at least 1")
        precondition(channelStride >= 0 && sampleStride >= 0, "patch geometry strides must not be negative")
        self.channels = channels
        self.channelStride = channelStride
        self.sampleStride = sampleStride
        self.width = width
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.outHeight = outHeight
        self.outWidth = outWidth
    }
}
