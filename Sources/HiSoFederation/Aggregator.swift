/// Combines `n` equally long upload vectors into one (see ``AggregatorKind`` for the rules and
/// the number of attackers each tolerates).
///
/// All arithmetic is float32 in a fixed order (uploads in the order given), so the result is a
/// pure function of the inputs. Memory: O(n) scratch per coordinate, O(n^2) distances for Krum.
public struct Aggregator: Sendable, Equatable {
    /// The rule.
    public var kind: AggregatorKind
    /// `f`, the number of attackers to tolerate (trimmed mean, Krum).
    public var byzantineCount: Int

    /// Creates an aggregator.
    public init(kind: AggregatorKind, byzantineCount: Int = 0) {
        self.kind = kind
        self.byzantineCount = byzantineCount
    }

    /// Aggregates `uploads` (each of the same length).
    ///
    /// - mean: `out_j = (sum_i v_ij) / n` (sum in order);
    /// - median: the middle order statistic of `v_.j` (mean of the two middle ones for even `n`);
    /// - trimmed mean: the mean of `v_.j` without its `f` largest and `f` smallest values;
    /// - Krum: the upload `v_k` minimising `sum_{l in N_k} |v_k - v_l|^2` over its `n - f - 2`
    ///   nearest other uploads (ties: lowest index).
    ///
    /// - Precondition: `uploads` is non-empty and rectangular (a programmer error otherwise).
    /// - Complexity: O(n L) for the mean, O(n log n L) for median/trimmed mean, O(n^2 L) for Krum.
    public func aggregate(_ uploads: [[Float]]) -> [Float] {
        precondition(!uploads.isEmpty, "aggregate of no uploads")
        let length = uploads[0].count
        precondition(uploads.allSatisfy { $0.count == length }, "ragged uploads")
        let n = uploads.count
        switch kind {
        case .mean:
            return mean(uploads, length: length)
        case .median:
            var column = [Float](repeating: 0, count: n)
            return (0..<length).map { j in
                for i in 0..<n { column[i] = uploads[i][j] }
                column.sort()
                return n % 2 == 1 ? column[n / 2] : (column[n / 2 - 1] + column[n / 2]) / 2
            }
        case .trimmedMean:
            let f = min(byzantineCount, (n - 1) / 2)
            var column = [Float](repeating: 0, count: n)
            return (0..<length).map { j in
                for i in 0..<n { column[i] = uploads[i][j] }
                column.sort()
                var sum: Float = 0
                for i in f..<(n - f) { sum += column[i] }
                return sum / Float(n - 2 * f)
            }
        case .krum:
            return uploads[krumIndex(uploads)]
        }
    }

    /// The index Krum selects (exposed for tests and diagnostics).
    ///
    /// With fewer than `2 f + 3` uploads the neighbourhood shrinks to `max(n - f - 2, 1)`.
    public func krumIndex(_ uploads: [[Float]]) -> Int {
        let n = uploads.count
        guard n > 1 else { return 0 }
        let neighbours = max(n - byzantineCount - 2, 1)
        var distance = [[Float]](repeating: [Float](repeating: 0, count: n), count: n)
        for a in 0..<n {
            for b in (a + 1)..<n {
                var sum: Float = 0
                for j in uploads[a].indices {
                    let diff = uploads[a][j] - uploads[b][j]
                    sum += diff * diff
                }
                distance[a][b] = sum
                distance[b][a] = sum
            }
        }
        var best = 0
        var bestScore = Float.infinity
        for a in 0..<n {
            var others = (0..<n).filter { $0 != a }.map { distance[a][$0] }
            others.sort()
            let score = others.prefix(neighbours).reduce(0, +)
            if score < bestScore {
                bestScore = score
                best = a
            }
        }
        return best
    }

    private func mean(_ uploads: [[Float]], length: Int) -> [Float] {
        var out = uploads[0]
        for i in 1..<uploads.count {
            for j in 0..<length { out[j] += uploads[i][j] }
        }
        let n = Float(uploads.count)
        for j in 0..<length { out[j] /= n }
        return out
    }
}
