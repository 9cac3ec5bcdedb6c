import Foundation
import HiSoData
import HiSoFederation
import HiSoKernels
import HiSoTransformer

#if canImport(Glibc)
import Glibc
#endif

/// What `hiso info` reports: backends, CPU, OpenBLAS, threads and data sets.
struct MachineInfo: Encodable {
    /// One data set and whether it was found and read without error.
    struct DataSetStatus: Encodable {
        /// The data set's name.
        var name: String
        /// Where it was looked for.
        var location: String
        /// Whether it is usable: every file present and its headers, sizes and labels valid.
        var found: Bool
        /// `found`, `missing` (a file is absent) or `corrupt` (a file is malformed).
        var status: String
        /// Details: sizes, or the error naming the missing or corrupt file.
        var detail: String

        /// The status of a data set checked by `check`, which returns the sizes to report.
        ///
        /// - Parameters:
        ///   - name: the data set's name.
        ///   - location: where it was looked for.
        ///   - check: reads and validates the files; its error names the file at fault.
        static func checking(_ name: String, at location: String, _ check: () throws -> String) -> DataSetStatus {
            do {
                return DataSetStatus(name: name, location: location, found: true, status: "found", detail: try check())
            } catch {
                let missing: Bool
                switch error {
                case DataError.unreadable(let file, _): missing = !FileManager.default.fileExists(atPath: file)
                case TransformerError.missingFile: missing = true
                default: missing = false
                }
                return DataSetStatus(
                    name: name, location: location, found: false, status: missing ? "missing" : "corrupt", detail: "\(error)")
            }
        }
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

    /// Collects the information, reading and validating every data file it reports.
    ///
    /// - Parameters:
    ///   - referenceDirectory: a digits reference directory to check, if any.
    ///   - fashionDirectory: the Fashion-MNIST directory to check.
    ///   - sst2Directory: a GLUE SST-2 directory to check, if any.
    static func gather(referenceDirectory: URL?, fashionDirectory: URL, sst2Directory: URL? = nil) -> MachineInfo {
        let flags = cpuFlags()
        let features = ["avx2", "fma", "avx512f"].filter(flags.contains)
        var dataSets: [DataSetStatus] = [
            .checking("digits (built in)", at: "bundled resource") {
                let digits = try DigitsDataset.raw()
                return "\(digits.count) samples x \(digits.featureCount) features, \(digits.classCount) classes"
            },
            .checking("Fashion-MNIST", at: fashionDirectory.path) {
                let v = try FashionMNIST.validate(directory: fashionDirectory)
                return "\(v.train) train / \(v.test) test images of \(v.rows)x\(v.columns); IDX headers, sizes and labels checked"
            },
        ]
        if let dir = referenceDirectory {
            dataSets.append(.checking("digits reference", at: dir.path) {
                let split = try DigitsDataset.reference(directory: dir)
                for kind in DigitsDataset.ReferencePartition.allCases {
                    _ = try DigitsDataset.referencePartition(kind, directory: dir, sampleCount: split.train.count)
                }
                let summary = dir.appendingPathComponent("summary.json").path
                guard FileManager.default.fileExists(atPath: summary) else { throw DataError.unreadable(file: summary, reason: "not found") }
                return "\(split.train.count) train / \(split.test.count) test rows, iid and dir0.5 partitions, summary.json"
            })
        }
        if let dir = sst2Directory {
            dataSets.append(.checking("SST-2", at: dir.path) {
                let train = try SST2Dataset(directory: dir, split: "train")
                let dev = try SST2Dataset(directory: dir, split: "dev")
                return "\(train.count) train / \(dev.count) dev sentences; TSV headers and labels checked"
            })
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
            rows.append(("data", "\(d.status.padding(toLength: 7, withPad: " ", startingAt: 0)) \(d.name) at \(d.location): \(d.detail)"))
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
