import Testing
@testable import HiSoKernels

/// Golden vectors of the perturbation stream (bit patterns), also listed in the README section
/// "Perturbation stream contract". A change here is a change of the shared-randomness contract.
@Suite("Perturbation stream golden vectors")
struct StreamGoldenTests {
    struct Golden: Sendable, CustomStringConvertible {
        let seed: UInt64
        let stream: UInt64
        let first16: [UInt32]
        let at99999999: UInt32
        var description: String { "seed \(seed), stream \(stream)" }
    }

    static let vectors: [Golden] = [
        Golden(
            seed: 0, stream: 0,
            first16: [
                0x3f7d_bb2f, 0xbf6c_b6b3, 0xbf1e_1ba1, 0xbef6_d1a9, 0xbe1d_534f, 0x3e39_2a6b, 0x3f54_ec98, 0x3e4a_2d9a,
                0xbf97_da8a, 0x4022_d27b, 0xbe8a_0f7a, 0x3ffb_065c, 0xbf18_6c96, 0x3eb4_029f, 0xbf66_1973, 0x3ee4_0c4d,
            ],
            at99999999: 0x3fba_356e),
        Golden(
            seed: 42, stream: 7,
            first16: [
                0x3f88_56db, 0xbf51_4952, 0xbf28_902e, 0x3f91_01bf, 0xbea8_419a, 0x3ea7_c2c6, 0x3efc_8bde, 0x3f74_3a4f,
                0x3fe8_b870, 0xbf40_c1da, 0x3f29_10c3, 0xbfa7_df42, 0xbf85_94bd, 0x3d36_8cdb, 0x3f90_22b5, 0xbdb3_0c0f,
            ],
            at99999999: 0x3f09_c053),
        Golden(
            seed: 0xDEAD_BEEF_CAFE_F00D, stream: 0x1_0000_0003,
            first16: [
                0x3ee1_0b6a, 0xbfb9_d974, 0xbdd8_4a46, 0x3e68_b4a3, 0xbf4e_9b0b, 0xbe94_2db2, 0xbf13_4b74, 0x3e96_b6a7,
                0x3b89_880b, 0x3ec9_7b5d, 0xbf6f_2c65, 0xbf09_651d, 0x3f73_0519, 0xbe79_0c83, 0xbee7_42c8, 0xbf94_9035,
            ],
            at99999999: 0x3f09_67ca),
    ]

    @Test("Philox4x32-10 matches the Random123 known-answer vectors")
    func philoxKnownAnswers() {
        #expect(
            PerturbationStream.philox(counter: .zero, key: .zero) == SIMD4(0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8))
        #expect(
            PerturbationStream.philox(counter: SIMD4(repeating: .max), key: SIMD2(repeating: .max))
                == SIMD4(0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd))
        #expect(
            PerturbationStream.philox(
                counter: SIMD4(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), key: SIMD2(0xa409_3822, 0x299f_31d0))
                == SIMD4(0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1))
    }

    @Test("value(at:) gives the golden first 16 values and element 99,999,999", arguments: vectors)
    func directValues(_ golden: Golden) {
        let stream = PerturbationStream(seed: golden.seed, stream: golden.stream)
        #expect((0..<16).map { stream.value(at: UInt64($0)).bitPattern } == golden.first16)
        #expect(stream.value(at: 99_999_999).bitPattern == golden.at99999999)
    }

    @Test("every backend's fillNormal gives the golden values", arguments: vectors)
    func backendValues(_ golden: Golden) throws {
        for kind in Kernels.compiledBackends {
            let backend = try Kernels.backend(kind, threads: 1)
            var head = [Float](repeating: .nan, count: 16)
            head.withUnsafeMutableBufferPointer {
                backend.fillNormal($0, seed: golden.seed, stream: golden.stream, offset: 0)
            }
            #expect(head.map(\.bitPattern) == golden.first16, "\(kind)")
            var far = [Float](repeating: .nan, count: 3)
            far.withUnsafeMutableBufferPointer {
                backend.fillNormal($0, seed: golden.seed, stream: golden.stream, offset: 99_999_998)
            }
            #expect(far[1].bitPattern == golden.at99999999, "\(kind)")
        }
    }
}
