import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels
import Testing

@testable import hiso

/// `--task sst2-minilm`: missing or wrong model and data directories are one-line user errors with
/// exit status 2, the defaults are the paper-like SST-2 setting, and a written config reproduces
/// the plan.
@Suite struct SST2TaskOptionsTests {
    @Test func missingModelDirectorySaysHowToFetchIt() throws {
        let dir = try TemporaryDirectory()
        CommandValidationTests.expectUserError(
            ["train", "--task", "sst2-minilm", "--data-dir", dir.url.path], contains: "needs --model-dir DIR")
        CommandValidationTests.expectUserError(
            ["compare", "--task", "sst2-minilm", "--data-dir", dir.url.path], contains: "Utils/fetch-minilm")
        CommandValidationTests.expectUserError(
            ["train", "--task", "sst2-minilm", "--data-dir", dir.url.path, "--model-dir", "/nonexistent/minilm"],
            contains: "--model-dir expects an existing directory (fetch the model with Utils/fetch-minilm DIR)")
    }

    @Test func missingDataDirectoryAsksForSST2() throws {
        let dir = try TemporaryDirectory()
        CommandValidationTests.expectUserError(
            ["train", "--task", "sst2-minilm", "--model-dir", dir.url.path], contains: "needs --data-dir DIR, a GLUE SST-2 directory")
        CommandValidationTests.expectUserError(
            ["train", "--task", "sst2-minilm", "--model-dir", dir.url.path, "--data-dir", "/nonexistent/sst2"],
            contains: "--data-dir expects an existing directory")
    }

    @Test func sst2FlagsAreRejectedForOtherTasksAndCheckedForSST2() throws {
        let dir = try TemporaryDirectory()
        CommandValidationTests.expectUserError(["compare", "--model-dir", dir.url.path], contains: "applies only to --task sst2-minilm")
        CommandValidationTests.expectUserError(["train", "--subset", "head"], contains: "applies only to --task sst2-minilm")
        let base = ["train", "--task", "sst2-minilm", "--model-dir", dir.url.path, "--data-dir", dir.url.path]
        CommandValidationTests.expectUserError(base + ["--subset", "middle"], contains: "--subset <subset>")
        CommandValidationTests.expectUserError(base + ["--train-limit", "0"], contains: "--train-limit <n>': expected a whole number >= 1")
        CommandValidationTests.expectUserError(base + ["--partition", "peer-dirichlet"], contains: "iid or dirichlet for sst2-minilm")
    }

    @Test func defaultsAreThePaperLikeSettingAndAWrittenConfigReproducesThePlan() throws {
        let dir = try TemporaryDirectory()
        let arguments = ["--task", "sst2-minilm", "--model-dir", dir.url.path, "--data-dir", dir.url.path]
        let settings = try RunSettings(SharedOptions.parseLayered(arguments), mode: .compare)
        let plan = settings.plan
        #expect(plan.task.name == .sst2Minilm)
        #expect(plan.task.modelDirectory == dir.url.path)
        #expect(plan.task.subset == "head")
        #expect(plan.task.trainLimit == 20_000)
        #expect(plan.task.batchSize == 32)
        #expect(plan.task.partition == .iid)
        #expect(plan.configuration.clients == 6)
        #expect(plan.configuration.sampledClients == 2)
        #expect(plan.configuration.localSteps == 1)
        #expect(plan.configuration.perturbations == 5)
        #expect(plan.configuration.rounds == 2000)
        #expect(plan.configuration.evaluateEvery == 200)
        #expect(plan.learningRates == [3e-3])

        let custom = try RunSettings(
            SharedOptions.parseLayered(arguments + ["--subset", "last-1", "--train-limit", "600", "--partition", "dirichlet"]),
            mode: .compare)
        #expect(custom.plan.task.subset == "last-1")
        #expect(custom.plan.task.trainLimit == 600)
        let flags = RunSettings.flags(for: custom.plan, mode: .compare)
        let reloaded = try RunSettings(SharedOptions.parseLayered(flags.map { "--\($0.key)=\($0.value)" }), mode: .compare)
        #expect(reloaded.plan == custom.plan)
    }

    @Test func catalogSaysHowToFetchAMissingModel() throws {
        let dir = try TemporaryDirectory()
        var spec = TaskSpecification(name: .sst2Minilm)
        spec.modelDirectory = dir.url.path
        spec.dataDirectory = dir.url.path
        let backend = try Kernels.backend(nil, threads: 1)
        #expect {
            _ = try TaskCatalog().makeTask(spec, clients: 6, localSteps: 1, backend: backend)
        } throws: { error in
            guard let error = error as? CatalogError, case .dataUnavailable = error else { return false }
            return error.description.contains("Utils/fetch-minilm")
        }
    }
}
