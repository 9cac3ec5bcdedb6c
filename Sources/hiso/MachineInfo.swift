import Foundation
import HiSoData
import HiSoFederation
import HiSoKernels

#if canImport(Glibc)
import Glibc
#endif

/// What `hiso info` reports: backends, CPU, OpenBLAS, threads and data sets.
struct MachineInfo: Encodable {
    /// One data set and whether it was found.
    struct DataSetStatus: Encodable {
        /// The data set's name.
        var name: String
        /// Where it was looked for.
        var location: String
        /// Whether it is usable.
        var found: Bool
        /// Details (sizes, or what is missing).
        var detail: String
    }

    /// The backends compiled into this build, fastest first.
    var compiledBackends: [String]
    /// The backend used when none is chosen.
    var defaultBackend: String
    /// `release` or `debug`.
    var build: String
    /// CPU model name.
    var cpu: String
    /// Logical CPUs online.
    var logicalCPUs: Int
    /// CPU features relevant to the kernels (`avx2`, `fma`), as reported by /proc/cpuinfo.
    var cpuFeatures: [String]
    /// Whether the AVX2+FMA kernels can run on this CPU.
    var avx2FMA: Bool
    /// `openblas_get_config()` when OpenBLAS is linked in.
    var openblasConfig: String?
    /// `openblas_get_corename()` when OpenBLAS is linked in.
    var openblasCore: String?
    /// `openblas_get_num_threads()` when OpenBLAS is linked in.
    var openblasThreads: Int?
    /// `OPENBLAS_NUM_THREADS` from the environment.
    var openblasNumThreadsEnvironment: String?
    /// The data sets found.
    var dataSets: [DataSetStatus]

    /// Collects the information.
    ///
    /// - Parameters:
    ///   - referenceDirectory: a digits reference directory to check, if any.
    ///   - fashionDirectory: the Fashion-MNIST directory to check.
    static func gather(referenceDirectory: URL?, fashionDirectory: URL) -> MachineInfo {
        let flags = cpuFlags()
        let features = ["avx2", "fma", "avx512f"].filter(flags.contains)
        var dataSets: [DataSetStatus] = []
        if let digits = try? DigitsDataset.raw() {
            dataSets.append(DataSetStatus(
                name: "digits (built in)", location: "bundled resource", found: true,
                detail: "\(digits.count) samples x \(digits.featureCount) features, \(digits.classCount) classes"))
        } else {
            dataSets.append(DataSetStatus(name: "digits (built in)", location: "bundled resource", found: false, detail: "resource missing"))
        }
        let fashionFound = FashionMNIST.isAvailable(in: fashionDirectory)
        dataSets.append(DataSetStatus(
            name: "Fashion-MNIST", location: fashionDirectory.path, found: fashionFound,
            detail: fashionFound ? "60000 train / 10000 test IDX files" : "not found (apt-get install -y dataset-fashion-mnist)"))
        if let dir = referenceDirectory {
            let needed = ["digits_train.csv", "digits_test.csv", "digits_partition_iid.csv", "digits_partition_dir0.5.csv", "summary.json"]
            let missing = needed.filter { !FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path) }
            dataSets.append(DataSetStatus(
                name: "digits reference", location: dir.path, found: missing.isEmpty,
                detail: missing.isEmpty ? "train/test, iid and dir0.5 partitions, summary.json" : "missing " + missing.joined(separator: ", ")))
        }
        return MachineInfo(
            compiledBackends: Kernels.compiledBackends.map(\.rawValue),
            defaultBackend: Kernels.defaultKind.rawValue,
            build: buildConfiguration,
            cpu: cpuModel(),
            logicalCPUs: ProcessInfo.processInfo.activeProcessorCount,
            cpuFeatures: features,
            avx2FMA: flags.contains("avx2") && flags.contains("fma"),
            openblasConfig: OpenBLASProbe.string("openblas_get_config"),
            openblasCore: OpenBLASProbe.string("openblas_get_corename"),
            openblasThreads: OpenBLASProbe.int("openblas_get_num_threads"),
            openblasNumThreadsEnvironment: ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"],
            dataSets: dataSets)
    }

    /// The report as aligned text lines.
    var text: String {
        var rows: [(String, String)] = [
            ("backends", compiledBackends.joined(separator: ", ") + " (default \(defaultBackend))"),
            ("build", build),
            ("cpu", "\(cpu), \(logicalCPUs) logical CPUs"),
            ("cpu features", (cpuFeatures.isEmpty ? "none of avx2/fma" : cpuFeatures.joined(separator: " "))
                + (avx2FMA ? " (AVX2+FMA kernels active)" : " (scalar kernels)")),
        ]
        if let config = openblasConfig {
            rows.append(("openblas", config + (openblasCore.map { ", core \($0)" } ?? "")))
            rows.append(("openblas threads", (openblasThreads.map(String.init) ?? "?")
                + (openblasNumThreadsEnvironment.map { " (OPENBLAS_NUM_THREADS=\($0))" } ?? "")))
        } else {
            rows.append(("openblas", "not linked (built without the OpenBLAS trait)"))
        }
        rows.append(("threads", "kernels use --threads N (default 1); \(logicalCPUs) available"))
        for d in dataSets {
            rows.append(("data", "\(d.found ? "found  " : "missing") \(d.name) at \(d.location): \(d.detail)"))
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + $0.1 }.joined(separator: "\n")
    }

    private static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// The `flags` line of /proc/cpuinfo as a set.
    static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            if let colon = line.firstIndex(of: ":") {
                return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
            }
        }
        return []
    }

    /// The `model name` of /proc/cpuinfo.
    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }
}

/// Looks up OpenBLAS's informational functions in the running process with `dlsym`, so the
/// CLI can report them without linking the C shim itself; nil when OpenBLAS is not linked.
enum OpenBLASProbe {
    private typealias StringFunction = @convention(c) () -> UnsafePointer<CChar>?
    private typealias IntFunction = @convention(c) () -> Int32

    /// The result of a `char *f(void)` OpenBLAS function, if present.
    static func string(_ name: String) -> String? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        let function = unsafeBitCast(symbol, to: StringFunction.self)
        return function().map { String(cString: $0).trimmingCharacters(in: .whitespaces) }
    }

    /// The result of an `int f(void)` OpenBLAS function, if present.
    static func int(_ name: String) -> Int? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return Int(unsafeBitCast(symbol, to: IntFunction.self)())
    }
}
