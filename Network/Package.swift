// swift-tools-version: 6.1
//
// HiSoNetwork: the federation of the root package (HiSoFederation's protocol core) over gRPC,
// HTTP/2 and TLS, as separate server and client processes (`hiso-net serve`, `hiso-net join`).
//
// It is a nested package so that the root package's main job (`hiso compare`) and its tests
// never build gRPC, SwiftNIO SSL or BoringSSL. Build and test it with
// `swift test --package-path Network`.
//
// Layers: HiSoFederation (protocol core) + HiSoExperiments (tasks) -> HiSoWire (the protobuf
// schema, its conversions to the core's types, the durable round log; no gRPC) -> HiSoNetwork
// (gRPC service, server coordinator, client role, TLS and tokens) -> hiso-net (CLI).
// hiso-net-fuzz replays (or, built with -sanitize=fuzzer, fuzzes) HiSoWire's decoding.
import PackageDescription

let package = Package(
    name: "HiSoNetwork",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HiSoWire", targets: ["HiSoWire"]),
        .library(name: "HiSoNetwork", targets: ["HiSoNetwork"]),
        .executable(name: "hiso-net", targets: ["hiso-net"]),
    ],
    dependencies: [
        .package(name: "HiSo", path: ".."),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "HiSoWire",
            dependencies: [
                .product(name: "HiSoOptim", package: "HiSo"),
                .product(name: "HiSoFederation", package: "HiSo"),
                .product(name: "HiSoExperiments", package: "HiSo"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "HiSoNetwork",
            dependencies: [
                "HiSoWire",
                .product(name: "HiSoKernels", package: "HiSo"),
                .product(name: "HiSoOptim", package: "HiSo"),
                .product(name: "HiSoFederation", package: "HiSo"),
                .product(name: "HiSoExperiments", package: "HiSo"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "hiso-net-fuzz",
            dependencies: [
                "HiSoWire",
                .product(name: "HiSoOptim", package: "HiSo"),
                .product(name: "HiSoFederation", package: "HiSo"),
                .product(name: "HiSoExperiments", package: "HiSo"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "hiso-net",
            dependencies: [
                "HiSoNetwork", "HiSoWire",
                .product(name: "HiSoKernels", package: "HiSo"),
                .product(name: "HiSoFederation", package: "HiSo"),
                .product(name: "HiSoExperiments", package: "HiSo"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "HiSoNetworkTests",
            dependencies: [
                "HiSoNetwork", "HiSoWire", "hiso-net", "hiso-net-fuzz",
                .product(name: "HiSoKernels", package: "HiSo"),
                .product(name: "HiSoOptim", package: "HiSo"),
                .product(name: "HiSoFederation", package: "HiSo"),
                .product(name: "HiSoExperiments", package: "HiSo"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
            ],
            resources: [.copy("Corpus")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
