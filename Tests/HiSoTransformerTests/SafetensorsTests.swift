import Foundation
import Testing
@testable import HiSoTransformer

@Suite("safetensors reader")
struct SafetensorsTests {
    static func open(_ name: String) throws(TransformerError) -> SafetensorsFile {
        try SafetensorsFile(contentsOf: TransformerFixtures.url("malformed/" + name))
    }

    static func path(_ name: String) -> String { TransformerFixtures.url("malformed/" + name).path }

    @Test("a valid file gives its tensors, metadata and float32 data")
    func valid() throws {
        let file = try Self.open("valid.safetensors")
        #expect(file.metadata == ["note": "two tensors"])
        #expect(try file.tensor("a").shape == [2, 3])
        #expect(try file.tensor("b").dtype == .f32)
        var a = [Float](repeating: -1, count: 6)
        try a.withUnsafeMutableBufferPointer { try file.copyFloat32("a", into: $0) }
        #expect(a == [0, 1, 2, 3, 4, 5])
        var wrong = [Float](repeating: 0, count: 5)
        #expect(throws: TransformerError.invalidArgument(name: "destination size for 'b'", value: "5", expected: "4")) {
            try wrong.withUnsafeMutableBufferPointer { try file.copyFloat32("b", into: $0) }
        }
        #expect(throws: TransformerError.missingTensor(file: Self.path("valid.safetensors"), tensor: "c")) {
            try file.tensor("c")
        }
    }

    @Test("a header length past the end of the file is a typed error")
    func badHeaderLength() {
        let p = Self.path("bad_header_length.safetensors")
        #expect(throws: TransformerError.badHeaderLength(file: p, declared: 1 << 40, fileSize: 200, limit: SafetensorsFile.maxHeaderLength)) {
            try Self.open("bad_header_length.safetensors")
        }
        #expect(throws: TransformerError.fileTooShort(file: Self.path("short_file.safetensors"), size: 3)) {
            try Self.open("short_file.safetensors")
        }
    }

    @Test("invalid JSON in the header is a typed error at byte offset 8")
    func badJSON() {
        #expect {
            try Self.open("bad_json.safetensors")
        } throws: { error in
            guard case .badHeader(let file, let offset, _) = error as? TransformerError else { return false }
            return file == Self.path("bad_json.safetensors") && offset == 8
        }
    }

    @Test("a shape that disagrees with the byte length is a typed error naming the tensor")
    func wrongShape() {
        #expect(throws: TransformerError.shapeMismatch(
            file: Self.path("wrong_shape.safetensors"), tensor: "a", shape: [2, 4], dtype: "F32", expectedBytes: 32, foundBytes: 24)
        ) {
            try Self.open("wrong_shape.safetensors")
        }
    }

    @Test("truncated data is a typed error giving the tensor's offsets and the data size")
    func truncated() {
        #expect {
            try Self.open("truncated_data.safetensors")
        } throws: { error in
            guard case .offsetsOutOfRange(_, let tensor, _, let end, _, let length) = error as? TransformerError else { return false }
            return tensor == "b" && end == 40 && length == 35
        }
    }

    @Test("overlapping tensors and unknown dtypes are typed errors")
    func overlapAndDType() {
        #expect(throws: TransformerError.overlappingTensors(file: Self.path("overlapping.safetensors"), first: "a", second: "b", offset: 16)) {
            try Self.open("overlapping.safetensors")
        }
        #expect(throws: TransformerError.unsupportedDType(file: Self.path("unknown_dtype.safetensors"), tensor: "a", dtype: "Q7")) {
            try Self.open("unknown_dtype.safetensors")
        }
    }

    @Test("a missing model file says how to fetch the model")
    func missingFile() {
        #expect {
            try SafetensorsFile(contentsOf: URL(fileURLWithPath: "/nonexistent/model.safetensors"))
        } throws: { error in
            String(describing: error).contains("Utils/fetch-minilm")
        }
        #expect(throws: TransformerError.self) {
            try PretrainedBert(directory: URL(fileURLWithPath: "/nonexistent"))
        }
    }

    @Test("the real model's integer position_ids tensor cannot be loaded as float32, and F16/BF16 convert exactly")
    func conversions() throws {
        #expect(SafetensorsFile.halfToFloat(0x3C00) == 1)
        #expect(SafetensorsFile.halfToFloat(0xC000) == -2)
        #expect(SafetensorsFile.halfToFloat(0x0001) == 0x1p-24)
        #expect(SafetensorsFile.halfToFloat(0x7C00) == .infinity)
        let file = try SafetensorsFile(contentsOf: TransformerFixtures.url("tiny_bert/model.safetensors"))
        var ids = [Float](repeating: 0, count: 16)
        #expect(throws: TransformerError.unsupportedDType(file: file.path, tensor: "embeddings.position_ids", dtype: "I64")) {
            try ids.withUnsafeMutableBufferPointer { try file.copyFloat32("embeddings.position_ids", into: $0) }
        }
    }
}
