import ArgumentParser
import Foundation
import HiSoExperiments
import HiSoFederation

/// `hiso compare`: methods x seeds (x learning-rate grid) on one task; prints the table and
/// writes CSV, JSON, markdown and SVG plots.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare methods over seeds (and a learning-rate grid): rounds and bytes to target accuracies.",
        discussion: """
            With no arguments: DeComFL vs HiSo on the built-in digits data (the peer's calibration setting: \
            MLP 64-32-10, 8 clients, 2 sampled, P 5, mu 1e-3, forward differences, batch 32, lr 1e-2, 1500 rounds), 3 seeds.

            Rounds to a target = first evaluated round with test accuracy >= target; the table shows the median \
            over seeds [min-max]. With a learning-rate grid (--lr a,b,c) each method keeps the rate with the \
            fewest median rounds to the highest target any rate reaches (ties: higher final accuracy, then \
            the smaller rate; if none reaches a target: the best final accuracy).

            Files in --out (default results/compare): summary.json (= the --json output), summary.csv, \
            curves.csv, table.txt, report.md, accuracy_vs_rounds.svg, accuracy_vs_bytes.svg, config.json \
            (reproduce with --config DIR/config.json), plan.json, and per run runs/<run>.csv (curve), \
            runs/<run>.json (record) and runs/<run>.checkpoint.json. config.json and summary.json record the \
            package version, backend, threads, platform and git commit.

            A folder holding an earlier run is refused: continue it with --resume DIR (finished runs are reused, \
            an interrupted one goes on from its checkpoint, bit for bit), or replace it with --force (its files \
            move to DIR/replaced-<time>/).
            """)

    @OptionGroup var options: SharedOptions

    func run() throws {
        let settings = try RunSettings(options, mode: .compare)
        if options.experiment.dumpConfig { return try RunSettings.dumpConfig(settings, mode: .compare) }
        try Self.execute(settings, interrupt: InterruptFlag.installed(), showProgress: true)
    }

    /// Runs and prints the table (or the JSON object); throws ``RunFailure`` after printing the
    /// partial table when interrupted.
    static func execute(_ settings: RunSettings, interrupt: InterruptFlag, showProgress: Bool) throws {
        LogSetup.bootstrap()
        let session = ExperimentSession(settings, mode: .compare, interrupt: interrupt, showProgress: showProgress)
        let (document, _) = try session.compare()
        if settings.json {
            FileHandle.standardOutput.write(try ReportJSON.data(document))
        } else {
            print(document.headline)
            print()
            print(document.summary.textTable(), terminator: "")
            print("\nFiles in \(settings.outputDirectory.path): table.txt, summary.json, summary.csv, curves.csv, report.md, accuracy_vs_rounds.svg, accuracy_vs_bytes.svg")
        }
        if document.status != "complete" {
            throw RunFailure(
                description: "interrupted after \(document.runsCompleted) of \(document.runsPlanned) runs; the partial report is in "
                    + "\(settings.outputDirectory.path); continue with hiso compare --resume \(settings.outputDirectory.path)",
                exitStatus: 130)
        }
    }
}
