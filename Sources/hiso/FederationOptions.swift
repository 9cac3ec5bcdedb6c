import ArgumentParser

/// The federation knobs: clients and sampling, rounds and evaluation, robust aggregation,
/// simulated attacks and client synchronisation.
struct FederationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Number of clients M (default: the task's).", valueName: "M"))
    var clients: String?

    @Option(help: ArgumentHelp("Clients sampled per round m, without replacement (default: the task's).", valueName: "m"))
    var sampled: String?

    @Option(help: ArgumentHelp("Rounds to run (default: the task's).", valueName: "R"))
    var rounds: String?

    @Option(help: ArgumentHelp("Evaluate every this many rounds, and after the last (default: the task's).", valueName: "n"))
    var evalEvery: String?

    @Option(help: ArgumentHelp("Aggregation over the sampled clients: mean (default), median, trimmed-mean or krum.", valueName: "rule"))
    var aggregator: String?

    @Option(help: ArgumentHelp("Attackers f tolerated by trimmed-mean and krum (default 0).", valueName: "f"))
    var byzantine: String?

    @Option(help: ArgumentHelp("Simulated attack: none (default), gaussian, sign-flip or scaling.", valueName: "kind"))
    var attack: String?

    @Option(help: ArgumentHelp("Number of attacking clients (default 0).", valueName: "n"))
    var attackers: String?

    @Option(help: ArgumentHelp("Attack strength: noise std or multiplier (default 1).", valueName: "s"))
    var attackStrength: String?

    @Option(help: ArgumentHelp(
        "Client synchronisation: fast (default; same curves) or exact (every client replays the round log).", valueName: "mode"))
    var sync: String?

    @Option(help: ArgumentHelp(
        "Rounds of log the server keeps for stale clients; older clients download the full model (default: unlimited).",
        valueName: "rounds"))
    var logRetention: String?

    /// Flag name -> value as given (nil when not given).
    var given: [String: String?] {
        [
            "clients": clients, "sampled": sampled, "rounds": rounds, "eval-every": evalEvery, "aggregator": aggregator,
            "byzantine": byzantine, "attack": attack, "attackers": attackers, "attack-strength": attackStrength,
            "sync": sync, "log-retention": logRetention,
        ]
    }
}
