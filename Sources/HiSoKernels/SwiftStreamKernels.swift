/// Single-thread pure-Swift implementations of the fused kernels over one index range.
///
/// Every function processes `n` elements whose first one is stream element `j0`, in chunks of
/// ``chunk`` elements: it generates the chunk of `z` into a ``StackScratch`` and consumes it
/// immediately, so memory is O(1) (a few KiB of stack) whatever `n`. The per-element formulas
/// are documented on ``PerturbationKernels`` and ``FusedStepKernels``; the C kernels evaluate
/// the same operations in the same order.
enum SwiftStreamKernels {
    /// Elements per chunk: a multiple of 4 with room for a misaligned head in the scratch.
    static let chunk = 1016
    /// Elements per chunk of the paper rule, whose per-client rows share one scratch.
    static let paperChunk = 128
    /// Clients whose rows fit in one scratch at ``paperChunk`` elements each.
    static let paperClientGroup = StackScratch.capacity / paperChunk

    /// Generates stream elements `j ..< j + count` (`count <= chunk`) into `scratch` and
    /// returns a pointer to element `j`.
    @inline(__always)
    static func normals(
        _ scratch: UnsafeMutablePointer<Float>, element j: Int, count: Int, seed: UInt64, stream: UInt64
    ) -> UnsafeMutablePointer<Float> {
        let head = j & 3
        SwiftNormalGenerator.generateBlocks(
            scratch, firstBlock: UInt64(j >> 2), blocks: (head &+ count &+ 3) >> 2, seed: seed, stream: stream)
        return scratch + head
    }

    /// `out[i] = z[j0 + i]`, whole blocks written straight to `out`.
    static func fill(_ out: UnsafeMutablePointer<Float>, count n: Int, seed: UInt64, stream: UInt64, j0: Int) {
        let source = PerturbationStream(seed: seed, stream: stream)
        var i = 0
        while i < n && (j0 &+ i) & 3 != 0 {
            let j = j0 &+ i
            out[i] = source.block(UInt64(j >> 2))[j & 3]
            i &+= 1
        }
        let blocks = (n &- i) >> 2
        SwiftNormalGenerator.generateBlocks(
            out + i, firstBlock: UInt64((j0 &+ i) >> 2), blocks: blocks, seed: seed, stream: stream)
        i &+= blocks << 2
        while i < n {
            let j = j0 &+ i
            out[i] = source.block(UInt64(j >> 2))[j & 3]
            i &+= 1
        }
    }

    /// `out[i] = x[i] + (alpha * s[i]) * z[i]` (`x[i] + alpha * z[i]` without `s`); `x == out`
    /// is allowed (in place).
    static func perturb(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count n: Int, alpha: Float,
        scale: UnsafePointer<Float>?, direction: ZODirection
    ) {
        var scratch = StackScratch()
        scratch.withPointer { buffer in
            var start = 0
            while start < n {
                let len = min(chunk, n &- start)
                let z = chunkDirection(direction, buffer, start: start, count: len)
                let xs = x + start, os = out + start
                // In place, address one array only, so that no overlap check blocks vectorisation.
                if let scale {
                    let ss = scale + start
                    if UnsafePointer(os) == xs {
                        for i in 0..<len { os[i] = os[i] + (alpha * ss[i]) * z[i] }
                    } else {
                        for i in 0..<len { os[i] = xs[i] + (alpha * ss[i]) * z[i] }
                    }
                } else if UnsafePointer(os) == xs {
                    for i in 0..<len { os[i] = os[i] + alpha * z[i] }
                } else {
                    for i in 0..<len { os[i] = xs[i] + alpha * z[i] }
                }
                start &+= len
            }
        }
    }

    /// `x[i] = x[i] + s[i] * (0 + c * z[i])` (`x[i] + (0 + c * z[i])` without `s`).
    static func restoreUpdate(
        _ x: UnsafeMutablePointer<Float>, count n: Int, coefficient c: Float, scale: UnsafePointer<Float>?,
        direction: ZODirection
    ) {
        var scratch = StackScratch()
        scratch.withPointer { buffer in
            var start = 0
            while start < n {
                let len = min(chunk, n &- start)
                let z = chunkDirection(direction, buffer, start: start, count: len)
                let xs = x + start
                if let scale {
                    let ss = scale + start
                    for i in 0..<len { xs[i] = xs[i] + ss[i] * (0 + c * z[i]) }
                } else {
                    for i in 0..<len { xs[i] = xs[i] + (0 + c * z[i]) }
                }
                start &+= len
            }
        }
    }

    /// The fused HiSo pass of ``FusedStepKernels/stepHiSoUpdate``.
    static func hisoUpdate(
        _ x: UnsafeMutablePointer<Float>, _ h: UnsafeMutablePointer<Float>, _ s: UnsafeMutablePointer<Float>,
        count n: Int, restore c: Float, update g: Float, beta: Float, floor: Float?, direction: ZODirection
    ) {
        let oneMinusBeta = 1 - beta
        var scratch = StackScratch()
        scratch.withPointer { buffer in
            var start = 0
            while start < n {
                let len = min(chunk, n &- start)
                let z = chunkDirection(direction, buffer, start: start, count: len)
                let xs = x + start, hs = h + start, ss = s + start
                for i in 0..<len {
                    let zi = z[i], si = ss[i]
                    xs[i] = xs[i] + si * (0 + c * zi)
                    let d = si * (0 + g * zi)
                    hs[i] = beta * hs[i] + (oneMinusBeta * d) * d
                }
                if let floor { refresh(ss, hs, count: len, floor: floor) }
                start &+= len
            }
        }
    }

    /// `x[i] = x[i] + s[i] * acc_i`, `acc_i = sum_p c_p z_p[j0 + i]` (see ``PerturbationKernels``).
    static func accumulate(
        _ x: UnsafeMutablePointer<Float>, count n: Int, coefficients: UnsafeBufferPointer<Float>,
        scale: UnsafePointer<Float>?, seed: UInt64, j0: Int
    ) {
        var zScratch = StackScratch()
        var accScratch = StackScratch()
        zScratch.withPointer { buffer in
            accScratch.withPointer { acc in
                var start = 0
                while start < n {
                    let len = min(chunk, n &- start)
                    sumStreams(acc, buffer, count: len, coefficients: coefficients, seed: seed, j: j0 &+ start)
                    let xs = x + start
                    if let scale {
                        let ss = scale + start
                        for i in 0..<len { xs[i] = xs[i] + ss[i] * acc[i] }
                    } else {
                        for i in 0..<len { xs[i] = xs[i] + acc[i] }
                    }
                    start &+= len
                }
            }
        }
    }

    /// Peer-rule EMA: `d = s * acc`, `h = beta * h + ((1 - beta) * d) * d`.
    static func hessianEMA(
        _ h: UnsafeMutablePointer<Float>, scale: UnsafePointer<Float>, count n: Int,
        coefficients: UnsafeBufferPointer<Float>, seed: UInt64, beta: Float, j0: Int
    ) {
        let oneMinusBeta = 1 - beta
        var zScratch = StackScratch()
        var accScratch = StackScratch()
        zScratch.withPointer { buffer in
            accScratch.withPointer { acc in
                var start = 0
                while start < n {
                    let len = min(chunk, n &- start)
                    sumStreams(acc, buffer, count: len, coefficients: coefficients, seed: seed, j: j0 &+ start)
                    let hs = h + start, ss = scale + start
                    for i in 0..<len {
                        let d = ss[i] * acc[i]
                        hs[i] = beta * hs[i] + (oneMinusBeta * d) * d
                    }
                    start &+= len
                }
            }
        }
    }

    /// Paper rule (Eq. 12): `h = (1 - nu) * h + nu * ((1 / m) * sum_c (d_c * d_c + epsilon))`,
    /// clients summed in increasing order, in groups of ``paperClientGroup`` rows per pass.
    static func hessianPaper(
        _ h: UnsafeMutablePointer<Float>, scale: UnsafePointer<Float>, count n: Int,
        coefficients: UnsafeBufferPointer<Float>, clients m: Int, seed: UInt64, nu: Float, epsilon: Float, j0: Int
    ) {
        let streams = coefficients.count / m
        let oneMinusNu = 1 - nu
        let inverseM = 1 / Float(m)
        var zScratch = StackScratch()
        var rowScratch = StackScratch()
        var sumScratch = StackScratch()
        zScratch.withPointer { buffer in
            rowScratch.withPointer { rows in
                sumScratch.withPointer { sum in
                    var start = 0
                    while start < n {
                        let len = min(paperChunk, n &- start)
                        for i in 0..<len { sum[i] = 0 }
                        var first = 0
                        while first < m {
                            let group = min(paperClientGroup, m &- first)
                            for r in 0..<(group &* paperChunk) { rows[r] = 0 }
                            for p in 0..<streams {
                                let z = normals(buffer, element: j0 &+ start, count: len, seed: seed, stream: UInt64(p))
                                for c in 0..<group {
                                    let coefficient = coefficients[(first &+ c) &* streams &+ p]
                                    let row = rows + c &* paperChunk
                                    for i in 0..<len { row[i] = row[i] + coefficient * z[i] }
                                }
                            }
                            let ss = scale + start
                            for c in 0..<group {
                                let row = rows + c &* paperChunk
                                for i in 0..<len {
                                    let d = ss[i] * row[i]
                                    sum[i] = sum[i] + (d * d + epsilon)
                                }
                            }
                            first &+= group
                        }
                        let hs = h + start
                        for i in 0..<len { hs[i] = oneMinusNu * hs[i] + nu * (inverseM * sum[i]) }
                        start &+= len
                    }
                }
            }
        }
    }

    /// `s[i] = 1 / sqrt(v)` with `v = h[i] < floor ? floor : h[i]`; NaN (`0x7FC00000`) when `v < 0`.
    @inline(__always)
    static func refresh(_ s: UnsafeMutablePointer<Float>, _ h: UnsafePointer<Float>, count n: Int, floor: Float) {
        let nan = Float(bitPattern: 0x7FC0_0000)
        for i in 0..<n {
            let hi = h[i]
            let v = hi < floor ? floor : hi
            let y = 1 / v.magnitude.squareRoot()
            s[i] = v < 0 ? nan : y
        }
    }

    /// `acc[i] = sum_p coefficients[p] * z_p[j + i]`, evaluated as `acc = 0; acc = acc + c_p * z_p`.
    @inline(__always)
    static func sumStreams(
        _ acc: UnsafeMutablePointer<Float>, _ buffer: UnsafeMutablePointer<Float>, count len: Int,
        coefficients: UnsafeBufferPointer<Float>, seed: UInt64, j: Int
    ) {
        for i in 0..<len { acc[i] = 0 }
        for p in 0..<coefficients.count {
            let c = coefficients[p]
            let z = normals(buffer, element: j, count: len, seed: seed, stream: UInt64(p))
            for i in 0..<len { acc[i] = acc[i] + c * z[i] }
        }
    }

    /// The chunk `start ..< start + count` of a direction: generated into `buffer`, or read in place.
    @inline(__always)
    static func chunkDirection(
        _ direction: ZODirection, _ buffer: UnsafeMutablePointer<Float>, start: Int, count: Int
    ) -> UnsafePointer<Float> {
        switch direction {
        case .stream(let seed, let stream, let offset):
            return UnsafePointer(normals(buffer, element: offset &+ start, count: count, seed: seed, stream: stream))
        case .buffer(let z):
            return z + start
        case .record(let seed, let stream, let offset, let into):
            let j = offset &+ start
            if j & 3 == 0 && count & 3 == 0 {
                SwiftNormalGenerator.generateBlocks(
                    into + start, firstBlock: UInt64(j >> 2), blocks: count >> 2, seed: seed, stream: stream)
                return UnsafePointer(into + start)
            }
            let z = normals(buffer, element: j, count: count, seed: seed, stream: stream)
            (into + start).update(from: z, count: count)
            return UnsafePointer(z)
        }
    }
}
