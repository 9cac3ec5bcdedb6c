import FuzzSupport

/// The long flag names a config file may use (a sample of `hiso train`'s).
private let knownKeys: Set<String> = [
    "task", "method", "lr", "mu", "rounds", "clients", "sampled-clients", "local-steps", "perturbations",
    "data-dir", "seed", "seeds", "backend", "threads", "out", "alpha", "config",
]

/// One fuzzer input: the same bytes as a JSON and as a YAML config file (`hiso --config`).
///
/// `ConfigFile.swift` and `CommandLineError.swift` are links to the `hiso` executable's sources
/// (an executable target cannot be imported), so this target compiles the reader itself.
func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    for name in ["config.json", "config.yaml"] {
        let url = FuzzInput.file(data, size, name: name)
        _ = try? ConfigFile(path: url.path, knownKeys: knownKeys)
    }
    return 0
}

/// Runs libFuzzer on ``fuzzConfig(_:_:)``.
@main
enum FuzzConfig {
    static func main() {
        FuzzDriver.run(fuzzConfig)
    }
}
