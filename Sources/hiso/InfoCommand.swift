import ArgumentParser
import Foundation
import HiSoData
import HiSoExperiments
import HiSoFederation
import HiSoKernels

/// `hiso info`: the build and the machine as HiSo sees them.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the kernel backends, CPU features, OpenBLAS configuration, threads and data sets found.",
        discussion: "Every data set listed is read and validated (IDX magic, dimensions and sizes; CSV and TSV headers; labels), so a missing or corrupt file is named here, with the error a run would meet.")

    @Option(help: ArgumentHelp("Also check this directory for the peer's digits reference files.", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Fashion-MNIST directory to check (default /usr/share/datasets/fashion-mnist).", valueName: "dir"))
    var fmnistDir: String?

    @Option(help: ArgumentHelp("Also check this GLUE SST-2 directory (train.tsv, dev.tsv).", valueName: "dir"))
    var sst2Dir: String?

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func run() throws {
        let info = MachineInfo.gather(
            referenceDirectory: dataDir.map { URL(fileURLWithPath: $0, isDirectory: true) },
            fashionDirectory: fmnistDir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? FashionMNIST.defaultDirectory,
            sst2Directory: sst2Dir.map { URL(fileURLWithPath: $0, isDirectory: true) })
        if json {
            FileHandle.standardOutput.write(try ReportJSON.data(info))
        } else {
            print(info.text)
        }
    }
}
