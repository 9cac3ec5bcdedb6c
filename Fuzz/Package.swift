// swift-tools-version: 6.1
//
// libFuzzer targets for HiSo's readers, one executable per reader. This package is separate from
// the root package so that `swift build` and `swift test` there never build it; build and run it
// with `Utils/fuzz [SECONDS]` (release, `-sanitize=fuzzer,address`).
//
// Each target writes the fuzzer's input to a file in a private temporary directory and opens it
// through the reader's public API, exactly as a user's file would be opened. A reader may throw
// (its typed error); it must never crash, hang or allocate without bound.
import PackageDescription

/// The readers and the package products each fuzzer drives.
let readers: [(name: String, products: [String])] = [
    ("idx-raw", ["HiSoData"]),
    ("idx-gzip", ["HiSoData"]),
    ("csv", ["HiSoData"]),
    ("partition", ["HiSoData"]),
    ("sst2", ["HiSoTransformer"]),
    ("safetensors", ["HiSoTransformer"]),
    ("vocabulary", ["HiSoTransformer"]),
    ("tokenizer", ["HiSoTransformer"]),
    ("bert-config", ["HiSoTransformer"]),
    ("checkpoint", ["HiSoExperiments", "HiSoFederation", "HiSoKernels", "HiSoOptim"]),
    ("run-record", ["HiSoExperiments", "HiSoFederation"]),
]

let package = Package(
    name: "HiSoFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "HiSo", path: ".."),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        .target(name: "CFuzzDriver", path: "Sources/CFuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzDriver", .product(name: "HiSoData", package: "HiSo")],
            path: "Sources/FuzzSupport"
        ),
    ] + readers.map { reader in
        .executableTarget(
            name: "fuzz-\(reader.name)",
            dependencies: ["FuzzSupport"] + reader.products.map { .product(name: $0, package: "HiSo") },
            path: "Sources/fuzz-\(reader.name)"
        )
    } + [
        // The config reader lives in the `hiso` executable; its two files are linked in here.
        .executableTarget(
            name: "fuzz-config",
            dependencies: ["FuzzSupport", .product(name: "Yams", package: "Yams")],
            path: "Sources/fuzz-config"
        ),
    ],
    swiftLanguageModes: [.v6]
)
