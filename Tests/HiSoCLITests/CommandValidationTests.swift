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
        Self.expectUserError(["compare", "--mu=-1"], contains: "--mu expects a positive number, but found '-1'.")
        Self.expectUserError(["compare", "--task", "mnist"], contains: "--task expects one of digits, digits-reference")
        Self.expectUserError(["compare", "--methods", "decomfl,sgd"], contains: "found 'decomfl,sgd'")
        Self.expectUserError(["compare", "--targets", "0.7,1.5"], contains: "--targets expects a comma list of accuracies in (0, 1]")
        Self.expectUserError(["compare", "--sampled", "9"], contains: "--sampled expects a whole number from 1 to 8")
        Self.expectUserError(["compare", "--rounds", "ten"], contains: "--rounds expects a whole number >= 1, but found 'ten'")
        Self.expectUserError(["compare", "--bogus"], contains: "Unknown option '--bogus'")
        Self.expectUserError(["train", "--lr", "0.1,0.2"], contains: "train runs one learning rate")
        Self.expectUserError(["train", "--seeds", "3"], contains: "--seeds belongs to compare")
        Self.expectUserError(["compare", "--split", "dir0.5"], contains: "--split applies only to --task digits-reference")
        Self.expectUserError(["compare", "--task", "digits-reference"], contains: "needs --data-dir DIR")
        Self.expectUserError(["compare", "--data-dir", "/nonexistent/dir"], contains: "--data-dir expects an existing directory")
        Self.expectUserError(["compare", "--dimension", "10"], contains: "applies only to --task quadratic")
        Self.expectUserError(["compare", "--aggregator", "krum", "--byzantine", "1"], contains: "for decomfl, but it must be at least 2 * byzantineCount + 3")
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
        Self.expectUserError(["compare", "--config", badValue.path], contains: "'mu' in \(badValue.path) expects a positive number, but found '-3'.")
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
        let options = try SharedOptions.parse(["--config", yaml.path, "--rounds", "60"])
        let settings = try RunSettings(options.source(), mode: .compare)
        #expect(settings.plan.methods == [.decomfl, .hisoPaper])
        #expect(settings.plan.learningRates == [0.01, 0.03])
        #expect(settings.plan.configuration.rounds == 60)
        #expect(settings.plan.configuration.mu == 0.002)
        #expect(settings.plan.configuration.localSteps == 2)
        let json = dir.url.appendingPathComponent("run.json")
        try #"{"task": "quadratic", "dimension": 50, "spectrum": "power-law", "seeds": 2, "json": true}"#.write(to: json, atomically: true, encoding: .utf8)
        let fromJSON = try RunSettings(SharedOptions.parse(["--config", json.path]).source(), mode: .compare)
        #expect(fromJSON.plan.task.name == .quadratic)
        #expect(fromJSON.plan.task.dimension == 50)
        #expect(fromJSON.plan.task.spectrum == .powerLaw)
        #expect(fromJSON.plan.seeds == [0, 1])
        #expect(fromJSON.json)
    }

    @Test func everyConfigKeyIsAFlag() throws {
        for key in SharedOptions.configKeys.sorted() where !["json", "verbose"].contains(key) {
            #expect(throws: Never.self, "--\(key)") { _ = try SharedOptions.parse(["--\(key)", "1"]) }
        }
        #expect(SharedOptions.configKeys.count > 45)
    }

    @Test func writtenConfigReproducesThePlan() throws {
        let arguments = ["--task", "quadratic", "--dimension", "64", "--spectrum", "spiked", "--methods", "hiso,fedavg",
                         "--lr", "0.3,0.1", "--aggregator", "median", "--sync", "exact", "--seeds", "4", "--seed", "7",
                         "--hessian-step", "all", "--schedule", "cosine", "--log-retention", "12", "--basis", "rotated"]
        let original = try RunSettings(SharedOptions.parse(arguments).source(), mode: .compare)
        let flags = RunSettings.flags(for: original.plan, mode: .compare)
        let reloaded = try RunSettings(SettingsSource(flags: flags.mapValues { Optional($0) }, file: nil), mode: .compare)
        #expect(reloaded.plan == original.plan)
    }
}
