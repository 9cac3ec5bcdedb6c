import Foundation
import HiSoFederation
import Testing

@testable import hiso

/// Flag and config-file validation: one-line sentences naming the flag or key, exit status 2.
@Suite struct CommandValidationTests {
    /// Runs `hiso` in-process and returns (status, stderr text).
    static func run(_ arguments: [String]) -> (Int32, String) {
        var message = ""
        let status = HiSoCommand.execute(arguments) { message += $0 }
        return (status, message)
    }

    static func expectUserError(_ arguments: [String], contains fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let (status, message) = run(arguments)
        #expect(status == 2, "status for \(arguments)", sourceLocation: sourceLocation)
        #expect(message.hasPrefix("hiso: error: "), sourceLocation: sourceLocation)
        #expect(message.filter { $0 == "\n" }.count == 1, "one line: \(message)", sourceLocation: sourceLocation)
        #expect(message.contains(fragment), "'\(message)' lacks '\(fragment)'", sourceLocation: sourceLocation)
    }

    @Test func badFlagValuesAreOneLineUserErrors() {
        Self.expectUserError(["compare", "--mu=-1"], contains: "The value '-1' is invalid for '--mu <mu>': expected a positive number")
        Self.expectUserError(["compare", "--task", "mnist"], contains: "'--task <name>'. Please provide one of the following: digits, digits-reference, fmnist-mlp")
        Self.expectUserError(["compare", "--methods", "decomfl,sgd"], contains: "The value 'decomfl,sgd' is invalid for '--methods <list>'")
        Self.expectUserError(["compare", "--targets", "0.7,1.5"], contains: "'--targets <list>': expected a comma list of accuracies in (0, 1]")
        Self.expectUserError(["compare", "--sampled", "9"], contains: "--sampled expects a whole number from 1 to 8")
        Self.expectUserError(["compare", "--rounds", "ten"], contains: "The value 'ten' is invalid for '--rounds <R>': expected a whole number >= 1")
        Self.expectUserError(["compare", "--bogus"], contains: "Unknown option '--bogus'")
        Self.expectUserError(["train", "--lr", "0.1,0.2"], contains: "train runs one learning rate")
        Self.expectUserError(["train", "--seeds", "3"], contains: "--seeds belongs to compare")
        Self.expectUserError(["compare", "--split", "dir0.5"], contains: "--split applies only to --task digits-reference")
        Self.expectUserError(["compare", "--task", "digits-reference"], contains: "needs --data-dir DIR")
        Self.expectUserError(["compare", "--data-dir", "/nonexistent/dir"], contains: "--data-dir expects an existing directory")
        Self.expectUserError(["compare", "--dimension", "10"], contains: "applies only to --task quadratic")
        Self.expectUserError(["compare", "--aggregator", "krum", "--byzantine", "1"], contains: "is 2 for decomfl, but it must be at least 2 * byzantineCount + 3")
    }

    @Test func helpExitsWithZero() {
        #expect(Self.run(["compare", "--help"]).0 == 0)
    }

    @Test func configFilesAreCheckedWithTheirPath() throws {
        let dir = try TemporaryDirectory()
        Self.expectUserError(["compare", "--config", dir.url.appendingPathComponent("none.yaml").path], contains: "no such file")
        let unknown = dir.url.appendingPathComponent("unknown.yaml")
        try "rounds: 10\nperturbation: 3\n".write(to: unknown, atomically: true, encoding: .utf8)
        Self.expectUserError(["compare", "--config", unknown.path], contains: "unknown key 'perturbation'; did you mean 'perturbations'?")
        let badJSON = dir.url.appendingPathComponent("bad.json")
        try "{\"rounds\": 10,".write(to: badJSON, atomically: true, encoding: .utf8)
        Self.expectUserError(["compare", "--config", badJSON.path], contains: "it is not valid JSON")
        let badValue = dir.url.appendingPathComponent("value.yml")
        try "mu: -3\n".write(to: badValue, atomically: true, encoding: .utf8)
        Self.expectUserError(
            ["compare", "--config", badValue.path], contains: "'--mu <mu>': expected a positive number (set by 'mu' in \(badValue.path))")
        let badSampled = dir.url.appendingPathComponent("sampled.yml")
        try "sampled: 9\n".write(to: badSampled, atomically: true, encoding: .utf8)
        Self.expectUserError(["compare", "--config", badSampled.path], contains: "'sampled' in \(badSampled.path) expects a whole number from 1 to 8")
        let nested = dir.url.appendingPathComponent("nested.yaml")
        try "rounds:\n  a: 1\n".write(to: nested, atomically: true, encoding: .utf8)
        Self.expectUserError(["compare", "--config", nested.path], contains: "key 'rounds' has a nested mapping")
        let list = dir.url.appendingPathComponent("list.yaml")
        try "- 1\n- 2\n".write(to: list, atomically: true, encoding: .utf8)
        Self.expectUserError(["compare", "--config", list.path], contains: "the top level must be a mapping")
    }

    @Test func flagsOverrideTheConfigFileAndListsAreAccepted() throws {
        let dir = try TemporaryDirectory()
        let yaml = dir.url.appendingPathComponent("run.yaml")
        try "methods: [decomfl, hiso-paper]\nlr: [0.01, 0.03]\nrounds: 40\nmu: 0.002\nlocal_steps: 2\n".write(to: yaml, atomically: true, encoding: .utf8)
        let settings = try RunSettings(SharedOptions.parseLayered(["--config", yaml.path, "--rounds", "60"]), mode: .compare)
        #expect(settings.plan.methods == [.decomfl, .hisoPaper])
        #expect(settings.plan.learningRates == [0.01, 0.03])
        #expect(settings.plan.configuration.rounds == 60)
        #expect(settings.plan.configuration.mu == 0.002)
        #expect(settings.plan.configuration.localSteps == 2)
        let json = dir.url.appendingPathComponent("run.json")
        try #"{"task": "quadratic", "dimension": 50, "spectrum": "power-law", "seeds": 2, "json": true}"#.write(to: json, atomically: true, encoding: .utf8)
        let fromJSON = try RunSettings(SharedOptions.parseLayered(["--config", json.path]), mode: .compare)
        #expect(fromJSON.plan.task.name == .quadratic)
        #expect(fromJSON.plan.task.dimension == 50)
        #expect(fromJSON.plan.task.spectrum == .powerLaw)
        #expect(fromJSON.plan.seeds == [0, 1])
        #expect(fromJSON.json)
    }

    /// A plan's written configuration (`config.json`, `--dump-config`) as command-line flags.
    static func arguments(_ flags: [String: String]) -> [String] {
        flags.sorted { $0.key < $1.key }.map { "--\($0.key)=\($0.value)" }
    }

    @Test func everyFlagIsDeclaredOnceAndEveryConfigurationKeyHasExactlyOneFlag() throws {
        let names = SharedOptions.declaredNames.map(\.name)
        #expect(Set(names).count == names.count, "a flag is declared twice: \(names)")
        let base = try RunSettings(SharedOptions.parseLayered(["--task", "quadratic", "--log-retention", "5", "--backend", "swift"]), mode: .compare)
        let written = RunSettings.flags(for: base.plan, mode: .compare)
        #expect(Set(written.keys).isSubset(of: Set(names)), "written keys that are no flag: \(Set(written.keys).subtracting(names))")
        // Change one configuration field at a time: exactly one written flag must change. The
        // method, its Hessian rule, the learning rate and the seed are per run: the plan carries
        // them as --methods, --lr and --seed.
        let perRun: Set<String> = ["method", "hessianRule", "learningRate", "seed"]
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(base.plan.configuration)) as! [String: Any]
        let candidates = ["central", "cosine", "krum", "gaussian", "first", "exact", "openblas", "swift"]
        for key in encoded.keys.sorted() where !perRun.contains(key) {
            var changed: RunConfiguration?
            var object = encoded
            if let number = encoded[key] as? Double {
                object[key] = number + 1
                changed = try? JSONDecoder().decode(RunConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
            } else {
                for candidate in candidates where "\(encoded[key] ?? "")" != candidate {
                    object[key] = candidate
                    if let c = try? JSONDecoder().decode(RunConfiguration.self, from: JSONSerialization.data(withJSONObject: object)),
                       c != base.plan.configuration {
                        changed = c
                        break
                    }
                }
            }
            let configuration = try #require(changed, "could not change '\(key)'")
            var plan = base.plan
            plan.configuration = configuration
            let differing = RunSettings.flags(for: plan, mode: .compare).filter { written[$0.key] != $0.value }.keys
            #expect(differing.count == 1, "configuration key '\(key)' changes the flags \(differing.sorted())")
        }
    }

    @Test func theWrittenConfigurationRoundTripsThroughAConfigFile() throws {
        let dir = try TemporaryDirectory()
        let arguments = ["--task", "quadratic", "--dimension", "64", "--spectrum", "spiked", "--methods", "hiso,fedavg",
                         "--lr", "0.3,0.1", "--aggregator", "median", "--sync", "exact", "--seeds", "4", "--seed", "7",
                         "--hessian-step", "all", "--schedule", "cosine", "--log-retention", "12", "--basis", "rotated",
                         "--attack", "sign-flip", "--attackers", "1"]
        let original = try RunSettings(SharedOptions.parseLayered(arguments), mode: .compare)
        let flags = RunSettings.flags(for: original.plan, mode: .compare)
        let file = dir.url.appendingPathComponent("config.json")
        try JSONEncoder().encode(flags).write(to: file)
        let reloaded = try RunSettings(SharedOptions.parseLayered(["--config", file.path]), mode: .compare)
        #expect(reloaded.plan == original.plan)
        let fromFlags = try RunSettings(SharedOptions.parseLayered(Self.arguments(flags)), mode: .compare)
        #expect(fromFlags.plan == original.plan)
    }

    @Test func dumpConfigPrintsTheEffectiveConfigurationWithoutRunning() throws {
        let dir = try TemporaryDirectory()
        let options = try SharedOptions.parseLayered(["--rounds", "7", "--dump-config", "--out", dir.url.path])
        #expect(options.experiment.dumpConfig)
        let settings = try RunSettings(options, mode: .train)
        let flags = RunSettings.flags(for: settings.plan, mode: .train)
        #expect(flags["rounds"] == "7" && flags["task"] == "digits" && flags["methods"] == "hiso")
        #expect(Self.run(["train", "--rounds", "7", "--dump-config", "--out", dir.url.path]).0 == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("curve.csv").path), "--dump-config must not run")
    }
}
