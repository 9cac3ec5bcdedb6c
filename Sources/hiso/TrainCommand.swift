import ArgumentParser
import Foundation
import HiSoExperiments
import HiSoFederation

/// `hiso train`: one run; writes `curve.csv`, `config.json` and `summary.json` into `--out`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train once (one method, learning rate and seed) and write the curve, config and summary.",
        discussion: """
            Files in --out (default results/train), valid at every moment (Ctrl-C keeps them):
              curve.csv        round, accuracy, losses, bytes up and down, wall seconds
              summary.json     status, final accuracy, rounds and bytes to targets
              config.json      every setting by flag name (--config DIR/config.json
                               reruns it)
              plan.json        the resolved task and run configuration
              checkpoint.json  the state at the last evaluation or where it stopped
              run.json         the run record: task, configuration, curve

            config.json, summary.json, run.json and checkpoint.json record the provenance: package \
            version, backend, threads, platform and git commit.

            A folder holding an earlier run is refused: continue it with --resume DIR (an interrupted run goes \
            on from its checkpoint, bit for bit), or replace it with --force (its files move to DIR/replaced-<time>/).
            """)

    @OptionGroup var options: SharedOptions

    func run() throws {
        let settings = try RunSettings(options, mode: .train)
        if options.experiment.dumpConfig { return try RunSettings.dumpConfig(settings, mode: .train) }
        try Self.execute(settings, interrupt: InterruptFlag.installed(), showProgress: true)
    }

    /// Runs and prints the result; throws ``RunFailure`` for an interrupted or diverged run
    /// (after printing what was done).
    static func execute(_ settings: RunSettings, interrupt: InterruptFlag, showProgress: Bool) throws {
        LogSetup.bootstrap()
        let session = ExperimentSession(settings, mode: .train, interrupt: interrupt, showProgress: showProgress)
        let curve = try session.train()
        let summary = RunSummary(
            curve: curve, roundsPlanned: settings.plan.configuration.rounds, targets: settings.plan.targets, provenance: session.provenance)
        if settings.json {
            FileHandle.standardOutput.write(try ReportJSON.data(summary))
        } else {
            print(text(summary, directory: settings.outputDirectory.path))
        }
        switch curve.status {
        case .interrupted:
            throw RunFailure(
                description: "interrupted after \(curve.roundsCompleted) rounds; partial results are in \(settings.outputDirectory.path); "
                    + "continue with hiso train --resume \(settings.outputDirectory.path)",
                exitStatus: 130)
        case .diverged:
            throw RunFailure(description: (curve.note ?? "the run diverged") + "; results so far are in \(settings.outputDirectory.path)", exitStatus: 1)
        case .completed, .running:
            break
        }
    }

    /// A few lines describing the run's result.
    static func text(_ s: RunSummary, directory: String) -> String {
        var lines = [
            "\(s.method) lr \(ReportFormat.learningRate(s.learningRate)) seed \(s.seed): \(s.status.rawValue), \(s.roundsCompleted)/\(s.roundsPlanned) rounds",
            "final test accuracy \(s.finalAccuracy.map { ReportFormat.fixed($0, 4) } ?? "-") (best \(s.bestAccuracy.map { ReportFormat.fixed($0, 4) } ?? "-")), "
                + "test loss \(s.finalTestLoss.map { ReportFormat.fixed($0, 4) } ?? "-"), train loss \(s.finalTrainLoss.map { ReportFormat.fixed($0, 4) } ?? "-")",
            "traffic \(ReportFormat.bytes(Double(s.bytesUp))) up, \(ReportFormat.bytes(Double(s.bytesDown))) down "
                + "(\(s.bytesPerRound.map { ReportFormat.bytes($0) } ?? "-")/round); \(s.msPerRound.map { ReportFormat.fixed($0, 3) } ?? "-") ms/round",
        ]
        let reached = s.targets.map { t in
            "\(ReportFormat.percent(t.target)): " + (t.round.map { "round \($0) (\(ReportFormat.bytes(Double(t.bytes ?? 0))))" } ?? "not reached")
        }
        lines.append("targets " + reached.joined(separator: ", "))
        lines.append("files in \(directory)")
        return lines.joined(separator: "\n")
    }
}
