import Foundation
import HiSoKernels

/// The JSON document of `hiso-bench rounds --json` (and of the convergence suite's metadata).
struct RoundsDocument: Encodable {
    var metadata: Report.Metadata
    var results: [RoundsSuite.Entry]
}
