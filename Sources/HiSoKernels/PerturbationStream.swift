/// The seeded standard-normal stream `z(seed, p)` shared by every party and every backend.
///
/// ## Construction (the contract; the README section "Perturbation stream contract" repeats it)
///
/// Element `j` of stream `(seed, p)` is a pure function of `(seed, p, j)`:
///
/// 1. **Philox4x32-10** (Salmon et al., SC'11; multipliers `0xD2511F53`, `0xCD9E8D57`, Weyl key
///    increments `0x9E3779B9`, `0xBB67AE85`, ten rounds) with
///    key `(lo32(seed), hi32(seed))` and counter `(lo32(b), hi32(b), lo32(p), hi32(p))`, where
///    `b = j / 4` is the block index. It gives four 32-bit words `(w0, w1, w2, w3)`.
/// 2. **Box-Muller** on the pairs `(w0, w1)` -> lanes 0, 1 and `(w2, w3)` -> lanes 2, 3; element
///    `j` is lane `j % 4` of block `b`. For a pair `(wa, wb)`:
///    - `u = ((wa >> 8) + 1) * 2^-24`, in `(0, 1]` and exact in Float32;
///    - `r = sqrt(|-2 * log(u)|)`, with the polynomial `log` below and an IEEE square root
///      (the magnitude only clears the sign of a zero);
///    - the angle is `a = wb >> 8` (24 bits) times `2 pi / 2^24`. Range reduction is exact in
///      integers: the nearest quadrant `q = (a + 2^21) >> 22` and the residual
///      `t = a - q * 2^22` in `[-2^21, 2^21)`, so `phi = Float(t) * (2 pi / 2^24)` lies in
///      `[-pi/4, pi/4)`; `sin(phi)` and `cos(phi)` are polynomials, and the quadrant `q mod 4`
///      swaps and negates them;
///    - lane `2k` is `r * cos(theta)`, lane `2k + 1` is `r * sin(theta)`.
/// 3. All arithmetic is Float32, one IEEE operation at a time in a fixed order, with no fused
///    multiply-add (the C kernels compile with FP contraction off). The constants are exact
///    hexadecimal Float32 literals. `log(u)`: `u = m * 2^e` with `m` in `[0.5, 1)`; if
///    `m < sqrt(1/2)` then `e -= 1`, `x = (m + m) - 1`, else `x = m - 1`; then the Cephes `logf`
///    polynomial `y = ((((((((p0 x + p1) x + p2) x + p3) x + p4) x + p5) x + p6) x + p7) x + p8)
///    * x * z` with `z = x * x`, `y = y + q1 * e`, `y = y + (-0.5 * z)`, `x = x + y`,
///    `log = x + q2 * e`. `sin(phi) = (((s0 z + s1) z + s2) z) phi + phi` and
///    `cos(phi) = ((((c0 z + c1) z + c2) z) z + (-0.5 * z)) + 1` with `z = phi * phi` (Cephes
///    `sinf`/`cosf`). Every product and sum above is evaluated left to right exactly as written.
///
/// ## Accuracy
/// Against the exact Box-Muller of the same 24-bit words (computed in Float64), measured over
/// 2e7 random word pairs plus the 65,536 smallest `u` (where `|z|` reaches 5.77): maximum
/// absolute error 6.6e-7, maximum relative error of the radius 1.8e-7, and maximum relative
/// error 2.6e-7 for `|z| > 0.1`. The tests assert `< 1e-6` absolute and `< 3e-7` on the radius.
///
/// ## Cost
/// `value(at:)` computes one element in O(1) (one Philox block). Bulk generation goes through
/// ``PerturbationKernels/fillNormal(_:seed:stream:offset:)`` and the fused kernels, which give the
/// same bits for every backend, thread count, chunk size and start offset.
public struct PerturbationStream: Sendable, Hashable {
    /// The run seed (the Philox key).
    public let seed: UInt64
    /// The stream index `p` (the upper half of the Philox counter).
    public let stream: UInt64

    /// Makes the stream `(seed, stream)`.
    public init(seed: UInt64, stream: UInt64) {
        self.seed = seed
        self.stream = stream
    }

    /// Element `j` of the stream, computed directly: O(1), no state.
    public func value(at j: UInt64) -> Float {
        let block = PerturbationStream.philox(
            counter: SIMD4(UInt32(truncatingIfNeeded: j >> 2), UInt32(truncatingIfNeeded: j >> 34),
                           UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)),
            key: SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
        let lane = Int(j & 3)
        let pair = lane < 2
            ? PerturbationStream.boxMuller(block[0], block[1])
            : PerturbationStream.boxMuller(block[2], block[3])
        return lane & 1 == 0 ? pair.0 : pair.1
    }

    /// The four normals of block `b` (elements `4b ..< 4b + 4`).
    public func block(_ b: UInt64) -> SIMD4<Float> {
        let w = PerturbationStream.philox(
            counter: SIMD4(UInt32(truncatingIfNeeded: b), UInt32(truncatingIfNeeded: b >> 32),
                           UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)),
            key: SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
        let lo = PerturbationStream.boxMuller(w[0], w[1])
        let hi = PerturbationStream.boxMuller(w[2], w[3])
        return SIMD4(lo.0, lo.1, hi.0, hi.1)
    }

    /// Philox4x32-10 of `counter` under `key` (Random123 semantics).
    public static func philox(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3]
        var k0 = key[0], k1 = key[1]
        for round in 0..<10 {
            if round > 0 {
                k0 = k0 &+ PhiloxConstants.w0
                k1 = k1 &+ PhiloxConstants.w1
            }
            let p0 = UInt64(PhiloxConstants.m0) &* UInt64(c0)
            let p1 = UInt64(PhiloxConstants.m1) &* UInt64(c2)
            let n0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
            let n2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
            c1 = UInt32(truncatingIfNeeded: p1)
            c3 = UInt32(truncatingIfNeeded: p0)
            c0 = n0
            c2 = n2
        }
        return SIMD4(c0, c1, c2, c3)
    }

    /// Box-Muller of one pair of Philox words: `(r cos theta, r sin theta)` as in the contract.
    @inline(__always)
    public static func boxMuller(_ wa: UInt32, _ wb: UInt32) -> (Float, Float) {
        let u = Float((wa >> 8) &+ 1) * StreamConstants.uScale
        let r = (logUnit(u) * -2).magnitude.squareRoot()
        let (c, s) = sinCosTurn(wb >> 8)
        return (r * c, r * s)
    }

    /// The contract's polynomial natural logarithm for `u` in `(0, 1]`.
    @inline(__always)
    static func logUnit(_ u: Float) -> Float {
        let bits = u.bitPattern
        var e = Int32(bitPattern: bits >> 23) &- 126
        let m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F00_0000)
        var x: Float
        if m < StreamConstants.sqrtHalf {
            e = e &- 1
            x = (m + m) - 1
        } else {
            x = m - 1
        }
        let fe = Float(e)
        let z = x * x
        var y = StreamConstants.log0
        y = y * x + StreamConstants.log1
        y = y * x + StreamConstants.log2
        y = y * x + StreamConstants.log3
        y = y * x + StreamConstants.log4
        y = y * x + StreamConstants.log5
        y = y * x + StreamConstants.log6
        y = y * x + StreamConstants.log7
        y = y * x + StreamConstants.log8
        y = y * x
        y = y * z
        y = y + StreamConstants.logQ1 * fe
        y = y + (-0.5 * z)
        x = x + y
        return x + StreamConstants.logQ2 * fe
    }

    /// `(cos, sin)` of the 24-bit angle word `a` (a fraction `a / 2^24` of a turn).
    @inline(__always)
    static func sinCosTurn(_ a: UInt32) -> (Float, Float) {
        let q = (a &+ 0x20_0000) >> 22
        let t = Int32(bitPattern: a) &- Int32(bitPattern: q << 22)
        let phi = Float(t) * StreamConstants.angleScale
        let z = phi * phi
        var ps = StreamConstants.sin0
        ps = ps * z + StreamConstants.sin1
        ps = ps * z + StreamConstants.sin2
        ps = ps * z
        let sinPhi = ps * phi + phi
        var pc = StreamConstants.cos0
        pc = pc * z + StreamConstants.cos1
        pc = pc * z + StreamConstants.cos2
        pc = pc * z
        pc = pc * z
        let cosPhi = (pc + (-0.5 * z)) + 1
        let swap = 0 &- (q & 1)
        let cb = (cosPhi.bitPattern & ~swap) | (sinPhi.bitPattern & swap)
        let sb = (sinPhi.bitPattern & ~swap) | (cosPhi.bitPattern & swap)
        let negCos = ((q ^ (q >> 1)) & 1) << 31
        let negSin = ((q >> 1) & 1) << 31
        return (Float(bitPattern: cb ^ negCos), Float(bitPattern: sb ^ negSin))
    }
}

/// Philox4x32 constants (Random123).
enum PhiloxConstants {
    static let m0: UInt32 = 0xD251_1F53
    static let m1: UInt32 = 0xCD9E_8D57
    static let w0: UInt32 = 0x9E37_79B9
    static let w1: UInt32 = 0xBB67_AE85
}

/// The exact Float32 constants of the stream's Box-Muller (identical to the C kernels').
enum StreamConstants {
    static let uScale: Float = 0x1p-24
    static let sqrtHalf: Float = 0x1.6a09e6p-1
    static let log0: Float = 0x1.204376p-4
    static let log1: Float = -0x1.d7a37p-4
    static let log2: Float = 0x1.de4a34p-4
    static let log3: Float = -0x1.fcba9ep-4
    static let log4: Float = 0x1.23d37ep-3
    static let log5: Float = -0x1.555cap-3
    static let log6: Float = 0x1.999d58p-3
    static let log7: Float = -0x1.fffff8p-3
    static let log8: Float = 0x1.555554p-2
    static let logQ1: Float = -0x1.bd0106p-13
    static let logQ2: Float = 0x1.63p-1
    static let sin0: Float = -0x1.9943f2p-13
    static let sin1: Float = 0x1.11073cp-7
    static let sin2: Float = -0x1.555546p-3
    static let cos0: Float = 0x1.99eb9cp-16
    static let cos1: Float = -0x1.6c0c34p-10
    static let cos2: Float = 0x1.55554ap-5
    static let angleScale: Float = 0x1.921fb6p-22
}
