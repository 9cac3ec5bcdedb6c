import ArgumentParser
import Foundation
import HiSoExperiments
import HiSoFederation

extension ConvergenceSuite {
    /// `convergence sst2-minilm`: DeComFL vs HiSo fine-tuning all-MiniLM-L6-v2 on GLUE SST-2
    /// (``SST2Scenario``: 6 clients, 2 sampled, tau 1, P 5, forward differences, a learning-rate
    /// grid per method, 5 seeds, head-only by default), rounds and bytes to 75% and 80% dev
    /// accuracy. Writes `sst2.json` (every run's curve) and `sst2.md` (the table) to the output
    /// directory and prints the table (or the JSON with `--json`).
    ///
    /// Needs `--model-dir` (from `Utils/fetch-minilm`) and `--sst2-dir` (train.tsv, dev.tsv).
    /// `--seeds` and `--rounds` override the scenario's defaults; `--budget-minutes` stops
    /// starting new runs after that much wall time.
    func runSST2() throws {
        guard let modelDir, let sst2Dir else {
            throw ValidationError("sst2-minilm needs --model-dir DIR (run Utils/fetch-minilm) and --sst2-dir DIR (GLUE SST-2 with train.tsv and dev.tsv)")
        }
        var settings = SST2Scenario.Settings(modelDirectory: modelDir, dataDirectory: sst2Dir)
        if let seeds { settings.seeds = (0..<UInt64(seeds)).map { $0 } }
        if let rounds { settings.rounds = rounds }
        if let evalEvery { settings.evaluateEvery = evalEvery }
        if let budgetMinutes { settings.wallBudgetSeconds = budgetMinutes * 60 }
        if options.quick {
            settings.seeds = Array(settings.seeds.prefix(1))
            settings.rounds = min(settings.rounds, 2000)
            settings.task.trainLimit = min(settings.task.trainLimit ?? 2000, 2000)
        }
        let result = try SST2Scenario.run(settings) { message in
            FileHandle.standardError.write(Data("sst2-minilm: \(message)\n".utf8))
        }
        try AtomicFile.createDirectory(outputDirectory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(result)
        let table = result.table()
        try AtomicFile.write(json, to: outputDirectory.appendingPathComponent("sst2.json"))
        try AtomicFile.write(table + "\n", to: outputDirectory.appendingPathComponent("sst2.md"))
        if options.json {
            FileHandle.standardOutput.write(json)
        } else {
            print(table)
        }
    }
}
