import Dispatch

/// Splits an index range `0 ..< count` into `threads` contiguous parts and runs them in parallel.
///
/// Parts start at multiples of ``alignment`` so that each part begins on a Philox block and a
/// cache line; ranges shorter than ``minimumPerThread`` per thread run inline on the caller's
/// thread. The split never changes results: every kernel run through it is elementwise.
/// Memory: none on the heap from this type (the work closure is non-escaping).
public enum ParallelRange {
    /// The smallest part worth a thread (elements); smaller ranges use fewer threads.
    public static let minimumPerThread = 1 << 15
    /// Part boundaries are multiples of this many elements.
    public static let alignment = 64

    /// Runs `body(lo, hi)` over a partition of `0 ..< count` into at most `threads` parts of at
    /// least `minimumPerThread` elements each, starting at multiples of `alignment`.
    ///
    /// `body` is called concurrently on disjoint ranges; it must only write inside its range.
    @inline(__always)
    public static func forEach(
        count: Int, threads: Int, minimumPerThread: Int = minimumPerThread, alignment: Int = alignment,
        _ body: (Int, Int) -> Void
    ) {
        let parts = min(threads, count / max(1, minimumPerThread))
        if parts <= 1 {
            body(0, count)
            return
        }
        let blocks = (count + alignment - 1) / alignment
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { k in
                let lo = min(count, blocks * k / parts * alignment)
                let hi = min(count, blocks * (k + 1) / parts * alignment)
                work.value(lo, hi)
            }
        }
    }
}

/// Carries a non-`Sendable` value (a closure over raw buffer pointers) into parallel workers.
///
/// Safe only because every worker writes a disjoint index range of the buffers the value refers
/// to, and the caller waits for all workers before returning (``ParallelRange/forEach(count:threads:minimumPerThread:alignment:_:)``); other
/// users must keep to the same discipline.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
