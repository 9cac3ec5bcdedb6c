#if OpenBLAS
internal import CHiSoSIMD

extension OpenBLASBackend {
    /// The patch gather of ``PatchKernels``, in C with 256-bit AVX2 moves on CPUs that have them
    /// (the portable Swift copy otherwise); the same bits either way.
    public func gatherPatches(
        _ g: PatchGeometry, source: UnsafePointer<Float>, samples: Range<Int>, into cols: UnsafeMutablePointer<Float>
    ) {
        #if arch(x86_64)
        if CStreamKernels.hasAVX2 {
            return chiso_gather_patches(
                source, Int64(g.channels), Int64(g.channelStride), Int64(g.sampleStride), Int64(g.width),
                Int64(g.kernelHeight), Int64(g.kernelWidth), Int64(g.stride), Int64(g.outHeight),
                Int64(g.outWidth), Int64(samples.lowerBound), Int64(samples.count), cols)
        }
        #endif
        SwiftPatches.gather(g, source: source, samples: samples, into: cols)
    }
}
#endif
