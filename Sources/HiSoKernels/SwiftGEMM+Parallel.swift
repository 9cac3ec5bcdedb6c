import Dispatch

extension SwiftGEMM {
    /// Runs `body(0) ... body(count - 1)`, concurrently when `count > 1` (Dispatch's
    /// `concurrentPerform`, so at most `count` workers run at once), and returns when all are
    /// done. Each worker writes only to memory that no other worker touches in the same call.
    static func parallelFor(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count == 1 {
            body(0)
        } else if count > 1 {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        }
    }
}
