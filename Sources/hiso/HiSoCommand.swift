import ArgumentParser

@main
struct HiSoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hiso", abstract: "Federated zeroth-order training with scalar-only communication.")
}
