import ArgumentParser

@main
struct HiSoBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hiso-bench", abstract: "HiSo benchmarks.")
}
