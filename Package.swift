// swift-tools-version: 6.1
//
// HiSo: federated zeroth-order fine-tuning with scalar-only communication.
//
// Layers (dependency arrows point down only):
//   C shims ........ CHiSoBLAS (OpenBLAS + LAPACKE), CHiSoSIMD (AVX2 kernels), CHiSoZlib
//   kernels ........ HiSoKernels        (perturbation stream, seeded generators, fused ZO kernels, GEMM)
//   models, data ... HiSoModels, HiSoData, HiSoTransformer
//   algorithms ..... HiSoOptim          (ZO estimator, preconditioners, centralised optimizer)
//   protocol core .. HiSoFederation     (server, clients, round log, replay, aggregation, ledger,
//                                        checkpoints, sampling, in-process simulation driver)
//   experiments .... HiSoExperiments    (tasks, task catalogue, scenarios, reports, run records)
//   tools .......... hiso (CLI), hiso-bench (Benchmarks/)
import PackageDescription

let openBLAS = TargetDependencyCondition.when(traits: ["OpenBLAS"])

let package = Package(
    name: "HiSo",
    platforms: [.macOS(.v15)],
    // MARK: - Public API
    products: [
        .library(name: "HiSoKernels", targets: ["HiSoKernels"]),
        .library(name: "HiSoModels", targets: ["HiSoModels"]),
        .library(name: "HiSoData", targets: ["HiSoData"]),
        .library(name: "HiSoOptim", targets: ["HiSoOptim"]),
        .library(name: "HiSoFederation", targets: ["HiSoFederation"]),
        .library(name: "HiSoExperiments", targets: ["HiSoExperiments"]),
        .library(name: "HiSoTransformer", targets: ["HiSoTransformer"]),
        .executable(name: "hiso", targets: ["hiso"]),
        .executable(name: "hiso-bench", targets: ["hiso-bench"]),
    ],
    traits: [
        .trait(
            name: "OpenBLAS",
            description: """
                Use OpenBLAS (CBLAS + LAPACKE, Debian libopenblas-dev and liblapacke-dev) for GEMM and \
                QR, and the AVX2 C kernels for the perturbation stream. Without it, every kernel runs \
                on the pure-Swift backend, which builds anywhere and gives the same random bits.
                """
        ),
        .default(enabledTraits: ["OpenBLAS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        // Documentation only (`swift package generate-documentation`); no target depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C shims (private, no stable API)
        .systemLibrary(
            name: "CHiSoBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(name: "CHiSoSIMD", exclude: ["README.md"]),
        .systemLibrary(
            name: "CHiSoZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // MARK: - Implementation layers
        .target(
            name: "HiSoKernels",
            dependencies: [
                .target(name: "CHiSoBLAS", condition: openBLAS),
                .target(name: "CHiSoSIMD", condition: openBLAS),
            ]
        ),
        .target(
            name: "HiSoModels",
            dependencies: ["HiSoKernels"]
        ),
        .target(
            name: "HiSoData",
            dependencies: ["HiSoKernels", "CHiSoZlib"],
            resources: [.copy("Resources/digits.csv")]
        ),
        .target(
            name: "HiSoTransformer",
            dependencies: ["HiSoKernels", "HiSoModels", "HiSoData"]
        ),
        .target(
            name: "HiSoOptim",
            dependencies: ["HiSoKernels", .product(name: "Numerics", package: "swift-numerics")]
        ),
        .target(
            name: "HiSoFederation",
            dependencies: ["HiSoKernels", "HiSoOptim"]
        ),
        .target(
            name: "HiSoExperiments",
            dependencies: ["HiSoKernels", "HiSoModels", "HiSoData", "HiSoOptim", "HiSoTransformer", "HiSoFederation"]
        ),

        // MARK: - Tools
        .executableTarget(
            name: "hiso",
            dependencies: [
                "HiSoKernels", "HiSoData", "HiSoOptim", "HiSoTransformer", "HiSoFederation", "HiSoExperiments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "hiso-bench",
            dependencies: [
                "HiSoKernels", "HiSoModels", "HiSoOptim", "HiSoTransformer", "HiSoFederation", "HiSoExperiments",
                .target(name: "CHiSoBLAS", condition: openBLAS),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/hiso-bench"
        ),

        // MARK: - Tests
        .target(
            name: "HiSoTestSupport",
            path: "Tests/HiSoTestSupport"
        ),
        .testTarget(name: "HiSoKernelsTests", dependencies: ["HiSoKernels", "HiSoTestSupport"]),
        .testTarget(name: "HiSoModelsTests", dependencies: ["HiSoKernels", "HiSoModels", "HiSoTestSupport"]),
        .testTarget(
            name: "HiSoDataTests",
            dependencies: ["HiSoData", "HiSoKernels"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "HiSoOptimTests", dependencies: ["HiSoKernels", "HiSoModels", "HiSoOptim", "HiSoTestSupport"]),
        .testTarget(
            name: "HiSoFederationTests",
            dependencies: ["HiSoKernels", "HiSoOptim", "HiSoFederation", "HiSoExperiments", "HiSoTestSupport"]
        ),
        .testTarget(
            name: "HiSoExperimentsTests",
            dependencies: [
                "HiSoKernels", "HiSoModels", "HiSoData", "HiSoOptim", "HiSoTransformer", "HiSoFederation", "HiSoExperiments",
            ]
        ),
        .testTarget(
            name: "HiSoTransformerTests",
            dependencies: ["HiSoKernels", "HiSoData", "HiSoTransformer", "HiSoTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "HiSoCLITests",
            dependencies: [
                "hiso", "HiSoKernels", "HiSoFederation", "HiSoExperiments", .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
