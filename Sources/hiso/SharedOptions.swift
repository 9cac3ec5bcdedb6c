import ArgumentParser

/// The options `train` and `compare` share: every knob of docs/ALGORITHM.md, grouped for `--help`.
struct SharedOptions: ParsableArguments {
    @OptionGroup(title: "Task and data")
    var task: TaskOptions

    @OptionGroup(title: "Algorithm")
    var algorithm: AlgorithmOptions

    @OptionGroup(title: "Federation")
    var federation: FederationOptions

    @OptionGroup(title: "Experiment and output")
    var experiment: ExperimentOptions

    /// Every flag name (the config-file keys) -> the value given on the command line, if any.
    var given: [String: String?] {
        task.given.merging(algorithm.given) { a, _ in a }
            .merging(federation.given) { a, _ in a }
            .merging(experiment.given) { a, _ in a }
    }

    /// The keys a config file may use: every long flag name except `config` itself, plus the
    /// alias `method` for `methods`.
    static var configKeys: Set<String> {
        let empty = (try? SharedOptions.parse([]))?.given ?? [:]
        return Set(empty.keys).union(["method"])
    }

    /// The settings source: the config file (if any) overlaid with the flags given.
    ///
    /// - Throws: ``CommandLineError`` when the config file cannot be used.
    func source() throws(CommandLineError) -> SettingsSource {
        let file = try experiment.config.map { path throws(CommandLineError) in
            try ConfigFile(path: path, knownKeys: Self.configKeys)
        }
        return SettingsSource(flags: given, file: file)
    }
}
