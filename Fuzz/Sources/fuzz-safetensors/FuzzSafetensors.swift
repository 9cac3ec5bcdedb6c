import FuzzSupport
import HiSoTransformer

/// The layout of the transformer fixtures' tiny BERT (hidden 32, 4 heads, 2 layers, vocabulary 50).
private let tinyLayout: BertParameterLayout = {
    do {
        let configuration = try BertConfiguration(
            hiddenSize: 32, headCount: 4, layerCount: 2, intermediateSize: 64, vocabularySize: 50,
            maxPositions: 16, typeVocabularySize: 2, layerNormEpsilon: 1e-12)
        return BertEncoder(configuration: configuration).layout
    } catch {
        fatalError("fuzz harness: \(error)")
    }
}()

/// One fuzzer input: as a safetensors file; when it opens, every float tensor is copied
/// out as float32 (the validated byte ranges bound each buffer by the file size), and the tiny
/// BERT's parameters are loaded from it.
func fuzzSafetensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let url = FuzzInput.file(data, size, name: "model.safetensors")
    guard let file = try? SafetensorsFile(contentsOf: url) else { return 0 }
    for name in file.tensors.keys.sorted() {
        guard let tensor = file.tensors[name], tensor.dtype.convertsToFloat32 else { continue }
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: tensor.elementCount)
        defer { buffer.deallocate() }
        try? file.copyFloat32(name, into: buffer)
    }
    _ = try? tinyLayout.load(from: file)
    return 0
}

/// Runs libFuzzer on ``fuzzSafetensors(_:_:)``.
@main
enum FuzzSafetensors {
    static func main() {
        FuzzDriver.run(fuzzSafetensors)
    }
}
