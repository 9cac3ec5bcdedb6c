import HiSoFederation

/// A method as `hiso --methods` names it: a `FederatedMethod` plus the settings that tell
/// variants apart (`hiso` uses the peer code's H rule, `hiso-paper` the paper's Eq. 12,
/// `hiso-curv` the Stein curvature rule with central differences).
public enum ComparedMethod: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case decomfl
    case hiso
    case hisoPaper = "hiso-paper"
    case hisoCurv = "hiso-curv"
    case fedzo
    case fedavg
    case fedadam
    case fedadagrad
    case fedyogi
    case mezo

    public var description: String { rawValue }

    /// The federation method that runs it.
    public var method: FederatedMethod {
        switch self {
        case .decomfl: return .decomfl
        case .hiso, .hisoPaper, .hisoCurv: return .hiso
        case .fedzo: return .fedzo
        case .fedavg: return .fedavg
        case .fedadam: return .fedadam
        case .fedadagrad: return .fedadagrad
        case .fedyogi: return .fedyogi
        case .mezo: return .mezo
        }
    }

    /// The configuration for this method: `base` with the method, the H rule (and, for
    /// `hiso-curv`, central differences) and, for centralised MeZO, one client that always
    /// participates.
    public func configure(_ base: RunConfiguration) -> RunConfiguration {
        var c = base
        c.method = method
        switch self {
        case .hiso: c.hessianRule = .peer
        case .hisoPaper: c.hessianRule = .paper
        case .hisoCurv:
            c.hessianRule = .curvature
            c.scheme = .central
        case .mezo:
            c.clients = 1
            c.sampledClients = 1
        case .decomfl, .fedzo, .fedavg, .fedadam, .fedadagrad, .fedyogi: break
        }
        return c
    }
}
