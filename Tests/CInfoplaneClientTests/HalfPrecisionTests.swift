import CInfoplaneClient
import Testing

/// The float <-> binary16/bfloat16 helpers used to fill F16/BF16 snapshot buffers.
@Suite struct HalfPrecisionTests {
    @Test func everyBinary16PatternDecodesLikeSwiftFloat16AndRoundTrips() {
        var mismatches = 0
        for bits in UInt16.min...UInt16.max {
            let reference = Float(Float16(bitPattern: bits))
            let decoded = infoplane_f16_to_float(bits)
            if reference.isNaN { if !decoded.isNaN { mismatches += 1 }; continue }
            if decoded.bitPattern != reference.bitPattern || infoplane_float_to_f16(decoded) != bits { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func floatToBinary16RoundsLikeSwiftFloat16() {
        var generator = SystemRandomNumberGenerator()
        var mismatches = 0
        for _ in 0..<200_000 {
            // Magnitudes spanning the binary16 range, subnormals and overflow included.
            let x = Float.random(in: -1...1, using: &generator) * Float(sign: .plus, exponent: Int.random(in: -30...17), significand: 1)
            if infoplane_float_to_f16(x) != Float16(x).bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(infoplane_float_to_f16(70000) == Float16.infinity.bitPattern)
        #expect(infoplane_f16_to_float(infoplane_float_to_f16(.nan)).isNaN)
    }

    @Test func bfloat16KeepsTheUpperHalfRoundedToNearestEven() {
        #expect(infoplane_float_to_bf16(1) == 0x3f80)
        #expect(infoplane_float_to_bf16(Float(bitPattern: 0x3f80_8000)) == 0x3f80) // tie, even stays
        #expect(infoplane_float_to_bf16(Float(bitPattern: 0x3f81_8000)) == 0x3f82) // tie, odd rounds up
        #expect(infoplane_float_to_bf16(Float(bitPattern: 0x3f80_8001)) == 0x3f81)
        #expect(infoplane_bf16_to_float(infoplane_float_to_bf16(.nan)).isNaN)
        var mismatches = 0
        for bits in UInt16.min...UInt16.max {
            let value = infoplane_bf16_to_float(bits)
            if value.isNaN { continue }
            if value.bitPattern != UInt32(bits) << 16 || infoplane_float_to_bf16(value) != bits { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
