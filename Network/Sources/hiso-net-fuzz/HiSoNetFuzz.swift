import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoOptim
import HiSoWire
import SwiftProtobuf

/// The run a fuzzed record or configuration is checked against (the defaults: digits, P = 5).
let reference = NetworkConfiguration(run: RunConfiguration(), task: TaskSpecification(name: .digits))

/// Decodes `data` as one of the messages a server or client receives and runs the checks a
/// receiver runs on it. The first byte selects the message; a crash, a hang or a failed
/// round-trip precondition is a finding.
///
/// - 0: a round log file (frames after the magic), 1: a `RoundRecord` checked against a run,
///   2: a `RoundTask` with its catch-up records, 3: an `UploadRequest`, 4: a `RunConfiguration`
///   compared with the default one, 5: a `JoinRequest`.
func exercise(_ data: [UInt8]) {
    guard let selector = data.first else { return }
    let body = Array(data.dropFirst())
    switch selector % 6 {
    case 0:
        _ = try? DurableLog.parse(Array("HISOLOG1".utf8) + body, path: "fuzz input")
    case 1:
        guard let message = try? Hiso_Federation_V1_RoundRecord(serializedBytes: body) else { return }
        roundTrip(message)
        _ = try? RoundRecord(wire: message, configuration: reference.run)
    case 2:
        guard let message = try? Hiso_Federation_V1_RoundTask(serializedBytes: body) else { return }
        roundTrip(message)
        let records: [Hiso_Federation_V1_RoundRecord]
        switch message.kind {
        case .assignment(let assignment)?: records = assignment.catchUp
        case .finished(let finished)?: records = finished.catchUp
        case .idle?, nil: records = []
        }
        for record in records { _ = try? RoundRecord(wire: record, configuration: reference.run) }
    case 3:
        guard let message = try? Hiso_Federation_V1_UploadRequest(serializedBytes: body) else { return }
        roundTrip(message)
        _ = message.scalars.allSatisfy(\.isFinite)
    case 4:
        guard let message = try? Hiso_Federation_V1_RunConfiguration(serializedBytes: body) else { return }
        roundTrip(message)
        if let decoded = try? NetworkConfiguration(wire: message) { _ = try? reference.requireEqual(decoded) }
    default:
        guard let message = try? Hiso_Federation_V1_JoinRequest(serializedBytes: body) else { return }
        roundTrip(message)
        if message.hasConfiguration, let decoded = try? NetworkConfiguration(wire: message.configuration) {
            _ = try? reference.requireEqual(decoded)
        }
    }
}

/// A decoded message must encode, and its encoding must decode to a message with the same
/// encoding (bytes, not `==`: a NaN scalar is not equal to itself).
func roundTrip<M: SwiftProtobuf.Message>(_ message: M) {
    guard let bytes: [UInt8] = try? message.serializedBytes() else { preconditionFailure("a decoded message does not encode") }
    let again: [UInt8]? = try? M(serializedBytes: bytes).serializedBytes()
    precondition(again == bytes, "a decoded message does not round-trip")
}

#if HISO_LIBFUZZER
/// libFuzzer's driver for programs with their own `main` (compiler-rt, `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// libFuzzer's per-input entry: hands the input to ``exercise(_:)``.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    exercise(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// Runs libFuzzer's driver on ``fuzzOneInput(_:_:)`` (built with `-DHISO_LIBFUZZER`).
@main
enum HiSoNetFuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzOneInput))
    }
}
#else
/// Replays the files given as arguments through ``exercise(_:)`` (the build without libFuzzer).
@main
enum HiSoNetFuzz {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("hiso-net-fuzz: cannot read \(path)\n".utf8))
                exit(1)
            }
            exercise(Array(data))
        }
        print("hiso-net-fuzz: \(CommandLine.arguments.count - 1) inputs decoded")
    }
}
#endif
