import ArgumentParser

/// `hiso-net`: the federation across machines (server and clients as separate processes over
/// gRPC, HTTP/2 and TLS).
@main
struct HiSoNetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hiso-net",
        abstract: "Run a scalar-only federation (DeComFL, HiSo, MeZO) across machines over gRPC and TLS.",
        subcommands: [CertsCommand.self, ServeCommand.self, JoinCommand.self, ReplayCommand.self, BenchCommand.self])
}
