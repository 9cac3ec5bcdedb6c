import ArgumentParser
import Foundation
import HiSoExperiments
import HiSoFederation
import HiSoKernels

/// `hiso-bench convergence <scenario>`: fixed comparisons that write a report (markdown, CSV,
/// JSON, SVG) to an output directory and print its tables (or one JSON object with `--json`).
///
/// Scenarios:
/// - `digits-reference`: the calibration against the peer's own runs (its data and partitions
///   from `--reference-dir`): DeComFL and HiSo, IID and dir0.5, `--seeds` (default 5) seeds each,
///   plus DeComFL with central differences on IID; median rounds to 70/80/90% against the peer's
///   per-seed range widened by 30% (`[0.7 min, 1.3 max]`) from its `summary.json`.
/// - `fmnist-cnn`: the HiSo paper's image setting (CNN_MNIST on Fashion-MNIST, 64 clients,
///   Dirichlet alpha 1, 4 sampled, tau 1, P 5, mu 1e-3, forward, batch 32) comparing DeComFL,
///   HiSo (peer rule), HiSo (paper rule), FedZO and FedAvg with a learning-rate grid per method,
///   3 seeds, 3,000 rounds, rounds and bytes to 60/70/75/80%.
/// - `sst2-minilm`: DeComFL vs HiSo fine-tuning all-MiniLM-L6-v2 on SST-2 (see
///   `ConvergenceSuite+SST2.swift`).
/// - `sst2-minilm-finetune`: zeroth-order fine-tuning of MiniLM `last-2` on the whole SST-2
///   training set, learning rates chosen on a held-out validation split, from the pretrained
///   encoder and from the linear probe (see `ConvergenceSuite+SST2Finetune.swift`).
///
/// Grids that outgrow one machine: `--shard I/N` runs only the I-th of N disjoint slices of every
/// grid of the scenario and writes their run records (`runs/*.json`) into `--out`; after all
/// shards, `--merge` builds the reports from the records without running anything (it fails,
/// naming them, when runs are missing). `--omit-timing` drops wall-clock times from the curves,
/// which makes every report a pure function of the scenario (byte-identical across machines and
/// shardings).
///
/// `--budget-minutes` bounds the wall time: when it runs out the current runs stop (their partial
/// curves are kept), the remaining runs are skipped and the report says so. `--jobs N` runs N
/// runs at once; `--resume` reuses the runs an earlier invocation finished in the same directory
/// and continues a stopped run from its checkpoint, bit for bit (so a budget-stopped or killed
/// scenario can be continued).
struct ConvergenceSuite: BenchmarkSuite {
    static let configuration = CommandConfiguration(
        commandName: "convergence",
        abstract: "Convergence scenarios with reports: digits-reference (calibration vs the peer), fmnist-cnn (paper setting), sst2-minilm, sst2-minilm-finetune.")

    @OptionGroup var options: BenchmarkOptions

    @Argument(help: "The scenario: digits-reference, fmnist-cnn, sst2-minilm or sst2-minilm-finetune.")
    var scenario: String

    @Option(help: "Output directory (default results/convergence/<scenario>).")
    var out: String?

    @Option(help: "digits-reference: the peer's reference directory (digits_*.csv, summary.json).")
    var referenceDir: String?

    @Option(help: "Fashion-MNIST directory (default /usr/share/datasets/fashion-mnist).")
    var dataDir: String?

    @Option(help: "sst2-minilm: the all-MiniLM-L6-v2 directory (as printed by Utils/fetch-minilm).")
    var modelDir: String?

    @Option(help: "sst2-minilm: the GLUE SST-2 directory (train.tsv, dev.tsv).")
    var sst2Dir: String?

    @Option(help: "sst2-minilm-finetune: the trainable subset (default last-2).")
    var subset: String?

    @Option(help: "sst2-minilm-finetune: comma list of starts, probe and pretrained (default probe,pretrained).")
    var starts: String?

    @Flag(help: "sst2-minilm-finetune: rewrite report.md and the plots from the saved records without running anything.")
    var reportOnly = false

    @Option(help: "Seeds per method (default 5 for digits-reference, 3 for fmnist-cnn and sst2-minilm-finetune).")
    var seeds: Int?

    @Option(help: "Rounds per run (default: digits-reference 1500 IID / 2000 dir0.5; fmnist-cnn 3000).")
    var rounds: Int?

    @Option(help: "Evaluate every this many rounds (default: digits 25, fmnist-cnn 100).")
    var evalEvery: Int?

    @Option(help: "fmnist-cnn: comma list of methods (default decomfl,hiso,hiso-paper,hiso-curv,fedzo,fedavg).")
    var methods: String?

    @Option(name: .customLong("lr"), help: "fmnist-cnn: fix a method's learning rate instead of its grid, as METHOD=LR (repeatable).")
    var learningRateOverrides: [String] = []

    @Option(help: "fmnist-cnn: choose each method's learning rate on a pilot of this many rounds (seed 0) instead of running the whole grid for every seed (0 = whole grid).")
    var pilotRounds = 0

    @Option(help: "digits-reference and fmnist-cnn: a run diverges when an evaluated training loss exceeds this multiple of its round-0 training loss (or a loss is not finite); recorded in every run record, and a rate at which any seed diverged is not selected.")
    var divergenceMultiple = 3.0

    @Option(help: "fmnist-cnn: training images held out as the validation split that chooses each method's learning rate (0: choose on the test images).")
    var validation = 5000

    @Option(help: "Stop after this many minutes of wall time, keeping what finished (default: no limit).")
    var budgetMinutes: Double?

    @Option(help: "Runs executed at once, each on its own thread with its own copy of the data (default 1). Results do not depend on it; ms/round does (the runs share the memory bus).")
    var jobs = 1

    @Flag(help: "Reuse the finished runs (completed or diverged) that an earlier invocation saved in the output directory with the same task and configuration, and continue stopped runs from their checkpoints.")
    var resume = false

    @Option(help: ArgumentHelp("Run only the I-th of N disjoint slices of the grid, writing run records for --merge.", valueName: "I/N"))
    var shard: String?

    @Flag(help: "Build the reports from the run records in the output directory (written by every --shard), running nothing.")
    var merge = false

    @Flag(help: "Leave wall-clock times out of the curves, so reports are byte-identical across machines and shardings.")
    var omitTiming = false

    /// The parsed `--shard`.
    var selectedShard: ExperimentPlan.Shard? { shard.flatMap(ExperimentPlan.Shard.init) }

    func validate() throws {
        guard ["digits-reference", "fmnist-cnn", "sst2-minilm", "sst2-minilm-finetune"].contains(scenario) else {
            throw ValidationError("unknown scenario '\(scenario)': expected digits-reference, fmnist-cnn, sst2-minilm or sst2-minilm-finetune")
        }
        if scenario == "digits-reference" && referenceDir == nil {
            throw ValidationError("digits-reference needs --reference-dir DIR (the peer's digits directory with summary.json)")
        }
        if let s = seeds, s < 1 { throw ValidationError("--seeds must be at least 1, found \(s)") }
        if let r = rounds, r < 1 { throw ValidationError("--rounds must be at least 1, found \(r)") }
        if let e = evalEvery, e < 1 { throw ValidationError("--eval-every must be at least 1, found \(e)") }
        if validation < 0 { throw ValidationError("--validation must be at least 0, found \(validation)") }
        if pilotRounds < 0 { throw ValidationError("--pilot-rounds must be at least 0, found \(pilotRounds)") }
        if !(divergenceMultiple.isFinite && divergenceMultiple > 1) {
            throw ValidationError("--divergence-multiple must be a finite number above 1, found \(divergenceMultiple)")
        }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1, found \(jobs)") }
        if let shard, ExperimentPlan.Shard(shard) == nil {
            throw ValidationError("--shard expects I/N with 1 <= I <= N, found '\(shard)'")
        }
        if merge && shard != nil { throw ValidationError("--merge reads every shard's records; give it without --shard") }
        if (merge || shard != nil) && (scenario == "sst2-minilm" || scenario == "sst2-minilm-finetune") {
            throw ValidationError("--shard and --merge apply to digits-reference and fmnist-cnn")
        }
        if let b = budgetMinutes, !(b > 0) { throw ValidationError("--budget-minutes must be positive, found \(b)") }
        for item in learningRateOverrides {
            let parts = item.split(separator: "=")
            guard parts.count == 2, ComparedMethod(rawValue: String(parts[0])) != nil, let lr = Double(parts[1]), lr > 0 else {
                throw ValidationError("--lr expects METHOD=LR with a known method and a positive rate, found '\(item)'")
            }
        }
        for name in (methods ?? "").split(separator: ",") where ComparedMethod(rawValue: String(name)) == nil {
            throw ValidationError("unknown method '\(name)': expected one of \(ComparedMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var named = Set<Substring>()
        for name in (methods ?? "").split(separator: ",") where !named.insert(name).inserted {
            throw ValidationError("--methods names '\(name)' twice")
        }
    }

    mutating func run() throws {
        if scenario == "sst2-minilm" { return try runSST2() }
        let context = BenchmarkContext(options: options, report: Report(suite: "convergence", options: options))
        let output = try runScenario(in: context)
        if options.json {
            FileHandle.standardOutput.write(try ReportJSON.data(output))
        } else {
            print(output.text)
        }
    }

    func run(in context: BenchmarkContext) throws {
        if scenario == "sst2-minilm" { return try runSST2() }
        _ = try runScenario(in: context)
    }

    /// The directory reports go to.
    var outputDirectory: URL {
        URL(fileURLWithPath: out ?? "results/convergence/\(scenario)", isDirectory: true)
    }

    /// Runs the selected scenario.
    func runScenario(in context: BenchmarkContext) throws -> ConvergenceOutput {
        let deadline = budgetMinutes.map { ContinuousClock.now + .seconds($0 * 60) }
        switch scenario {
        case "digits-reference": return try digitsReference(context, deadline: deadline)
        case "sst2-minilm-finetune": return try sst2Finetune(context, deadline: deadline)
        default: return try fashionCNN(context, deadline: deadline)
        }
    }

    /// The backend and threads the scenario runs on (the first selected of each).
    func apply(_ context: BenchmarkContext, to config: inout RunConfiguration) {
        config.backend = context.backends.first
        config.threads = context.threadCounts.first ?? 1
    }
}
