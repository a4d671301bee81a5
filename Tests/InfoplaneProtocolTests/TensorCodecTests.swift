import Foundation
import Testing
@testable import InfoplaneProtocol

@Suite struct TensorCodecTests {
    func tensor(_ dtype: Infoplane_V1_DType, _ shape: [UInt32], _ bytes: [UInt8]) -> Infoplane_V1_Tensor {
        var t = Infoplane_V1_Tensor()
        t.dtype = dtype
        t.shape = shape
        t.data = Data(bytes)
        return t
    }

    @Test func decodesEveryFloatDType() throws {
        let values: [Float] = [1.5, -2.25, 0, 65504]
        #expect(try Infoplane_V1_Tensor(floats: values, shape: [2, 2]).decodeFloats() == values)
        let f64 = values.map(Double.init).withUnsafeBytes { Array($0) }
        #expect(try tensor(.f64, [4], f64).decodeFloats() == values)
        let f16 = values.map { Float16($0).bitPattern }.withUnsafeBytes { Array($0) }
        #expect(try tensor(.f16, [4], f16).decodeFloats() == values)
        let bf16 = values.map { UInt16($0.bitPattern >> 16) }.withUnsafeBytes { Array($0) }
        #expect(try tensor(.bf16, [4], bf16).decodeFloats() == [1.5, -2.25, 0, 65280])
    }

    @Test func decodesIntegers() throws {
        let ids: [Int32] = [3, -1, 7]
        #expect(try tensor(.i32, [3], ids.withUnsafeBytes { Array($0) }).decodeIntegers() == [3, -1, 7])
        #expect(try Infoplane_V1_Tensor(int64s: [1 << 40, 2], shape: [2]).decodeIntegers() == [1 << 40, 2])
    }

    @Test func refusesWrongByteCount() {
        #expect(throws: TensorDecodingError.byteCountMismatch(shape: [2, 2], dtype: "F32", expected: 16, actual: 12)) {
            try tensor(.f32, [2, 2], [UInt8](repeating: 0, count: 12)).decodeFloats()
        }
        #expect(throws: TensorDecodingError.emptyShape) { try tensor(.f32, [], []).decodeFloats() }
        #expect(throws: TensorDecodingError.unsupportedDType("UNSPECIFIED")) { try tensor(.unspecified, [1], [0]).decodeFloats() }
        #expect(throws: TensorDecodingError.unsupportedDType("I32")) { try tensor(.i32, [1], [0, 0, 0, 0]).decodeFloats() }
    }

    @Test func refusesNonFinite() {
        #expect(throws: TensorDecodingError.nonFinite(index: 2)) {
            try Infoplane_V1_Tensor(floats: [0, 1, .nan, 2], shape: [4]).decodeFloats()
        }
        #expect(throws: TensorDecodingError.nonFinite(index: 0)) {
            try Infoplane_V1_Tensor(floats: [.infinity], shape: [1]).decodeFloats()
        }
        let huge = [1e300].withUnsafeBytes { Array($0) }
        #expect(throws: TensorDecodingError.nonFinite(index: 0)) { try tensor(.f64, [1], huge).decodeFloats() }
    }

    @Test(arguments: [0, 1, 15, 16, 17, 16_383, 16_384, 16_400, 40_000, 40_959])
    func findsTheFirstNonFiniteWhereverItIs(index: Int) {
        // 40 960 values: several 16 384-value copy blocks, 16-lane chunks and a tail.
        for bad: Float in [.nan, .infinity, -.infinity, Float(bitPattern: 0x7fc0_1234), Float(bitPattern: 0xff80_0001)] {
            var values = (0..<40_960).map { Float($0 % 97) - 48 }
            values[1] = .greatestFiniteMagnitude
            values[2] = -.greatestFiniteMagnitude
            values[3] = .leastNonzeroMagnitude
            values[index] = bad
            if index < 40_959 { values[40_959] = .nan }  // a later one must not be reported first
            #expect(throws: TensorDecodingError.nonFinite(index: index)) {
                try Infoplane_V1_Tensor(floats: values, shape: [40_960]).decodeFloats()
            }
        }
    }

    @Test func extremeFiniteValuesPass() throws {
        let values: [Float] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0]
            + (0..<33).map { Float($0) }
        #expect(try Infoplane_V1_Tensor(floats: values, shape: [values.count]).decodeFloats() == values)
        let f16Infinity = [Float16.infinity.bitPattern, 0].withUnsafeBytes { Array($0) }
        #expect(throws: TensorDecodingError.nonFinite(index: 0)) { try tensor(.f16, [2], f16Infinity).decodeFloats() }
    }
}
