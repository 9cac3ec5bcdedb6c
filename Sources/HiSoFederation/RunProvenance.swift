import Foundation
import HiSoKernels

/// Which code ran a run, and how: the package version, the resolved kernel backend, the thread
/// count, the platform and (informational) the git commit. Checkpoints, run records,
/// `config.json` and `summary.json` carry it; resuming compares it with the running build
/// (``mismatch(resuming:)``).
///
/// Two runs with the same configuration and seed give the same bits when their package version,
/// backend and thread count agree: the random streams never depend on the backend or the
/// threads, but the backends' GEMM sums may differ in the last bits, so curves of different
/// backends can part after some rounds. The git commit is not compared: a long grid must
/// survive unrelated commits.
public struct RunProvenance: Codable, Sendable, Equatable {
    /// The version of this package (bumped with every change to what a run computes).
    public static let currentPackageVersion = "0.1.0"

    /// The package version that ran.
    public var packageVersion: String
    /// The kernel backend that ran (resolved: never "default").
    public var backend: BackendKind
    /// The kernel thread count.
    public var threads: Int
    /// Operating system and architecture, for example `Linux x86_64`.
    public var platform: String
    /// The commit of the git checkout the executable was built in (`.build/` inside it), with
    /// `-dirty` appended when tracked files were modified (`nil` outside a checkout).
    public var gitCommit: String?

    /// Makes a provenance from its parts.
    ///
    /// - Parameters:
    ///   - packageVersion: the package version that ran.
    ///   - backend: the kernel backend that ran.
    ///   - threads: the kernel thread count.
    ///   - platform: operating system and architecture.
    ///   - gitCommit: the source commit, if known.
    public init(packageVersion: String, backend: BackendKind, threads: Int, platform: String, gitCommit: String?) {
        self.packageVersion = packageVersion
        self.backend = backend
        self.threads = threads
        self.platform = platform
        self.gitCommit = gitCommit
    }

    /// This build's provenance for a run on `backend` with `threads` kernel threads.
    ///
    /// - Parameters:
    ///   - backend: the backend (`nil`: the fastest compiled in).
    ///   - threads: the kernel thread count.
    public static func current(backend: BackendKind?, threads: Int) -> RunProvenance {
        RunProvenance(
            packageVersion: currentPackageVersion, backend: backend ?? Kernels.defaultKind, threads: threads,
            platform: currentPlatform, gitCommit: currentGitCommit)
    }

    /// This build's provenance for a run of `configuration` (its backend and thread count).
    ///
    /// - Parameter configuration: the run's configuration.
    public static func current(for configuration: RunConfiguration) -> RunProvenance {
        current(backend: configuration.backend, threads: configuration.threads)
    }

    /// Why a run recorded with this provenance cannot be continued by `current`, or `nil` when
    /// the package version, the backend and the thread count agree (platform and commit are
    /// informational).
    ///
    /// - Parameter current: the provenance of the build that would continue the run.
    /// - Returns: one line, for example `written by hiso 0.1.0 with backend openblas and 1
    ///   thread; this build would continue it with backend swift and 1 thread`.
    public func mismatch(resuming current: RunProvenance) -> String? {
        guard packageVersion != current.packageVersion || backend != current.backend || threads != current.threads else {
            return nil
        }
        return "written by hiso \(packageVersion) with backend \(backend) and \(threads) thread\(threads == 1 ? "" : "s"); "
            + "this build would continue it as hiso \(current.packageVersion) with backend \(current.backend) and "
            + "\(current.threads) thread\(current.threads == 1 ? "" : "s"), which may not give the same bits"
    }

    /// Operating system and architecture of this process, for example `Linux x86_64`.
    public static let currentPlatform: String = {
        #if os(Linux)
        let system = "Linux"
        #elseif os(macOS)
        let system = "macOS"
        #else
        let system = "unknown OS"
        #endif
        #if arch(x86_64)
        let architecture = "x86_64"
        #elseif arch(arm64)
        let architecture = "arm64"
        #else
        let architecture = "unknown architecture"
        #endif
        let version = ProcessInfo.processInfo.operatingSystemVersion
        return "\(system) \(version.majorVersion).\(version.minorVersion) \(architecture)"
    }()

    /// The full commit hash of the git checkout that holds the running executable (a SwiftPM
    /// build puts it under the package's `.build/`), `-dirty` appended when tracked files were
    /// modified (`git -C DIR describe --always --dirty --abbrev=40 --exclude '*'`), read once per
    /// process; `nil` when git is missing or the executable is not inside a checkout. It says
    /// which source the build came from only as far as the build is current with its checkout.
    public static let currentGitCommit: String? = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let executable = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent()
        guard let directory = executable?.path else { return nil }
        process.arguments = ["git", "-C", directory, "describe", "--always", "--dirty", "--abbrev=40", "--exclude", "*"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let hash = text.hasSuffix("-dirty") ? text.dropLast("-dirty".count) : Substring(text)
        return hash.count == 40 && hash.allSatisfy(\.isHexDigit) ? text : nil
    }()
}
