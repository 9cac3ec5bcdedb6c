import HiSoKernels

/// A simulated attack on uploads, for robustness studies (see ``AttackKind``).
///
/// The attacking clients are a seeded subset of `attackers` clients; an attacker's upload is
/// transformed before the server sees it. Gaussian noise is drawn from a stream keyed by
/// (run seed, round, client), so attacks are reproducible.
public struct Attack: Sendable, Equatable {
    /// The attack.
    public let kind: AttackKind
    /// Noise standard deviation (gaussian) or multiplier (sign flip, scaling).
    public let strength: Float
    /// The attacking clients, ascending.
    public let attackerIDs: [Int]
    private let seed: UInt64

    /// Chooses `attackers` of `clients` clients with a generator seeded by `seed`.
    ///
    /// - Complexity: O(clients).
    public init(kind: AttackKind, strength: Float, attackers: Int, clients: Int, seed: UInt64) {
        self.kind = kind
        self.strength = strength
        self.seed = seed
        if kind == .none || attackers == 0 {
            attackerIDs = []
        } else {
            var ids = Array(0..<clients)
            var generator = SeededGenerator(seed: seed, stream: [0x4154_5441_434B])
            generator.shuffle(&ids)
            attackerIDs = ids.prefix(attackers).sorted()
        }
    }

    /// Whether `client` attacks.
    public func isAttacker(_ client: Int) -> Bool { attackerIDs.contains(client) }

    /// Applies the attack to `upload` if `client` is an attacker: `v + strength z`, `-strength v`
    /// or `strength v`.
    ///
    /// - Complexity: O(upload.count).
    public func apply(to upload: inout [Float], client: Int, round: UInt64) {
        guard isAttacker(client) else { return }
        switch kind {
        case .none:
            return
        case .gaussian:
            var generator = SeededGenerator(seed: seed, stream: [0x4E4F_4953_45, round, UInt64(client)])
            for j in upload.indices { upload[j] += strength * Float(generator.nextStandardNormal()) }
        case .signFlip:
            for j in upload.indices { upload[j] = -strength * upload[j] }
        case .scaling:
            for j in upload.indices { upload[j] = strength * upload[j] }
        }
    }
}
