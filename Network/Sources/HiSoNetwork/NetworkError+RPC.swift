import GRPCCore
import HiSoWire

extension NetworkError {
    /// The gRPC status code the refusal travels as.
    public var rpcCode: RPCError.Code {
        switch self {
        case .unauthenticated: return .unauthenticated
        case .impersonation: return .permissionDenied
        case .notSampled, .versionMismatch, .configurationMismatch: return .failedPrecondition
        case .duplicateUpload: return .alreadyExists
        case .wrongScalarCount, .nonFiniteScalar, .unknownClient, .malformedMessage: return .invalidArgument
        case .oversized: return .resourceExhausted
        case .logCorrupted, .storage, .federation, .setup: return .internalError
        case .transport: return .unavailable
        }
    }

    /// The error as a gRPC status; the message starts with ``counterKey`` so that a client can
    /// tell refusals apart.
    public var rpcError: RPCError {
        RPCError(code: rpcCode, message: "\(counterKey): \(description)")
    }
}
