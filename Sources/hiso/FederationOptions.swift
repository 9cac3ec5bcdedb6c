import ArgumentParser
import HiSoFederation

/// Clients, sampling, rounds, aggregation, attacks and synchronisation.
struct FederationOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Number of clients M (default: the task's).", valueName: "M"), transform: Checked.int(1...Int.max))
    var clients: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Clients sampled per round m, without replacement (default: the task's).", valueName: "m"),
        transform: Checked.int(1...Int.max))
    var sampled: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Rounds to run (default: the task's).", valueName: "R"), transform: Checked.int(1...Int.max))
    var rounds: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Evaluate every this many rounds, and after the last (default: the task's).", valueName: "n"),
        transform: Checked.int(1...Int.max))
    var evalEvery: Int?

    @Option(help: ArgumentHelp("Aggregation over the sampled clients (default mean).", valueName: "rule"))
    var aggregator: AggregatorKind?

    @Option(parsing: .unconditional, help: ArgumentHelp("Attackers f tolerated by trimmed-mean and krum (default 0).", valueName: "f"), transform: Checked.int(0...Int.max))
    var byzantine: Int?

    @Option(help: ArgumentHelp("Simulated attack (default none).", valueName: "kind"))
    var attack: AttackKind?

    @Option(parsing: .unconditional, help: ArgumentHelp("Number of attacking clients (default 0).", valueName: "n"), transform: Checked.int(0...Int.max))
    var attackers: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Attack strength: noise std or multiplier (default 1).", valueName: "s"),
        transform: Checked.double("a number >= 0") { $0 >= 0 })
    var attackStrength: Double?

    @Option(help: ArgumentHelp(
        "Client synchronisation: fast (default; same curves) or exact (every client replays the round log).", valueName: "mode"))
    var sync: SyncMode?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Rounds of log the server keeps for stale clients; older clients download the full model (default: unlimited).",
            valueName: "rounds"),
        transform: Checked.int(1...Int.max))
    var logRetention: Int?
}
