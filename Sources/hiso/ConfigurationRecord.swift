import HiSoFederation

/// `config.json` of a run: every setting by flag name (what `--config` and `--resume` read
/// back) and, under the key `provenance`, which code ran it (skipped when read back).
struct ConfigurationRecord: Encodable {
    /// Flag name -> value text (``RunSettings/flags(for:mode:)``).
    var flags: [String: String]
    /// The package version, backend, threads, platform and commit.
    var provenance: RunProvenance

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in flags { try container.encode(value, forKey: Key(stringValue: name)) }
        try container.encode(provenance, forKey: Key(stringValue: ConfigFile.provenanceKey))
    }
}
