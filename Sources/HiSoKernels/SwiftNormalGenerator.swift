/// The pure-Swift bulk generator of the perturbation stream (same bits as
/// ``PerturbationStream/block(_:)``), written so that LLVM vectorises it on baseline x86-64.
///
/// Memory: none beyond the output. Complexity: one Philox4x32-10 block and two Box-Muller pairs
/// per four outputs.
enum SwiftNormalGenerator {
    /// Writes the `blocks` whole blocks starting at block `firstBlock` of stream `(seed, stream)`
    /// to `out[0 ..< 4 * blocks]`.
    @inline(__always)
    static func generateBlocks(
        _ out: UnsafeMutablePointer<Float>, firstBlock: UInt64, blocks: Int, seed: UInt64, stream: UInt64
    ) {
        let key0 = UInt32(truncatingIfNeeded: seed)
        let key1 = UInt32(truncatingIfNeeded: seed >> 32)
        let s0 = UInt32(truncatingIfNeeded: stream)
        let s1 = UInt32(truncatingIfNeeded: stream >> 32)
        var i = 0
        while i < blocks {
            let b = firstBlock &+ UInt64(truncatingIfNeeded: i)
            var c0 = UInt32(truncatingIfNeeded: b)
            var c1 = UInt32(truncatingIfNeeded: b >> 32)
            var c2 = s0
            var c3 = s1
            var k0 = key0
            var k1 = key1
            for _ in 0..<9 {
                philoxRound(&c0, &c1, &c2, &c3, k0, k1)
                k0 = k0 &+ PhiloxConstants.w0
                k1 = k1 &+ PhiloxConstants.w1
            }
            philoxRound(&c0, &c1, &c2, &c3, k0, k1)
            let lo = PerturbationStream.boxMuller(c0, c1)
            let hi = PerturbationStream.boxMuller(c2, c3)
            let o = out + (i &<< 2)
            o[0] = lo.0
            o[1] = lo.1
            o[2] = hi.0
            o[3] = hi.1
            i &+= 1
        }
    }

    /// One Philox4x32 round.
    @inline(__always)
    static func philoxRound(
        _ c0: inout UInt32, _ c1: inout UInt32, _ c2: inout UInt32, _ c3: inout UInt32, _ k0: UInt32, _ k1: UInt32
    ) {
        let p0 = UInt64(PhiloxConstants.m0) &* UInt64(c0)
        let p1 = UInt64(PhiloxConstants.m1) &* UInt64(c2)
        let n0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
        let n2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
        c1 = UInt32(truncatingIfNeeded: p1)
        c3 = UInt32(truncatingIfNeeded: p0)
        c0 = n0
        c2 = n2
    }
}
