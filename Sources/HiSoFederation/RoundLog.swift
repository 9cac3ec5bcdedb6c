import HiSoOptim

/// The server's log of finished rounds, from which stale clients catch up.
///
/// It holds the contiguous records `firstRound ..< endRound`. The server prunes it below the
/// oldest client's sync round (and below the retention window); a client whose sync round was
/// pruned falls back to a full-model download.
///
/// Memory: `tau P` floats per retained round (plus `m P` for the HiSo paper rule).
public struct RoundLog: Codable, Sendable, Equatable {
    /// The round of the oldest retained record.
    public private(set) var firstRound: UInt64
    /// The retained records, in round order.
    public private(set) var records: [RoundRecord] = []

    /// Creates an empty log whose next record will be round `firstRound`.
    public init(firstRound: UInt64 = 0) {
        self.firstRound = firstRound
    }

    /// Decodes a log and checks that its records are the contiguous rounds from ``firstRound``.
    ///
    /// - Throws: `DecodingError.dataCorrupted` naming the first out-of-sequence record.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        firstRound = try container.decode(UInt64.self, forKey: .firstRound)
        records = try container.decode([RoundRecord].self, forKey: .records)
        for (offset, record) in records.enumerated() where record.round != firstRound &+ UInt64(offset) {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: container.codingPath + [CodingKeys.records],
                debugDescription: "record \(offset) is round \(record.round), expected \(firstRound &+ UInt64(offset))"))
        }
    }

    /// One past the newest record's round.
    public var endRound: UInt64 { firstRound + UInt64(records.count) }

    /// Appends the record of round ``endRound``.
    ///
    /// - Precondition: `record.round == endRound` (the server appends in order).
    public mutating func append(_ record: RoundRecord) {
        precondition(record.round == endRound, "round log expects round \(endRound), got \(record.round)")
        records.append(record)
    }

    /// Whether the log can bring a client synchronised at `round` up to ``endRound``.
    public func covers(from round: UInt64) -> Bool { round >= firstRound && round <= endRound }

    /// The records `round ..< endRound`, what a client synchronised at `round` must replay.
    ///
    /// - Throws: ``FederationError/roundNotInLog(round:available:)`` when `round` was pruned or
    ///   lies in the future.
    public func records(from round: UInt64) throws(FederationError) -> ArraySlice<RoundRecord> {
        guard covers(from: round) else { throw .roundNotInLog(round: round, available: firstRound..<endRound) }
        return records[Int(round - firstRound)...]
    }

    /// Drops the records below `round` (no-op when already pruned further).
    ///
    /// - Complexity: O(retained records).
    public mutating func prune(below round: UInt64) {
        let target = min(round, endRound)
        guard target > firstRound else { return }
        records.removeFirst(Int(target - firstRound))
        firstRound = target
    }
}
