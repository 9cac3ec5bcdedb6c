extension SafetensorsFile {
    /// Copies tensor `name` into `destination` as float32 (one pass; F16, BF16 and F64 are converted).
    ///
    /// - Parameters:
    ///   - name: the tensor.
    ///   - destination: exactly `elementCount` floats.
    /// - Throws: ``TransformerError/missingTensor(file:tensor:)``,
    ///   ``TransformerError/unsupportedDType(file:tensor:dtype:)`` for a non-float type,
    ///   ``TransformerError/invalidArgument(name:value:expected:)`` when the buffer size differs.
    /// - Complexity: O(elementCount); no allocation.
    public func copyFloat32(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws(TransformerError) {
        let t = try tensor(name)
        guard t.dtype.convertsToFloat32 else { throw .unsupportedDType(file: path, tensor: name, dtype: t.dtype.rawValue) }
        guard destination.count == t.elementCount else {
            throw .invalidArgument(
                name: "destination size for '\(name)'", value: "\(destination.count)", expected: "\(t.elementCount)")
        }
        let start = dataStart + t.dataOffsets.lowerBound
        let count = t.elementCount
        guard count > 0, let out = destination.baseAddress else { return }
        bytes.withUnsafeBytes { raw in
            let source = UnsafeRawBufferPointer(rebasing: raw[start..<(start + t.dataOffsets.count)])
            switch t.dtype {
            case .f32:
                UnsafeMutableRawPointer(out).copyMemory(from: source.baseAddress!, byteCount: count * 4)
                #if _endian(big)
                for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
                #endif
            case .f64:
                for i in 0..<count {
                    let bits = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                    out[i] = Float(Double(bitPattern: bits))
                }
            case .bf16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Float(bitPattern: UInt32(bits) << 16)
                }
            case .f16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = Self.halfToFloat(bits)
                }
            default:
                break
            }
        }
    }

    /// IEEE binary16 to binary32 (exact; subnormals, infinities and NaN preserved).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
