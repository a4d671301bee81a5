/*
 * Conversions between float and the 16-bit float formats of the protocol (binary16,
 * bfloat16), rounding to nearest even.
 */
#include "client_internal.h"

#include <string.h>

static uint32_t float_bits(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static float bits_float(uint32_t b) {
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

uint16_t infoplane_float_to_f16(float value) {
    uint32_t bits = float_bits(value);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000);
    int32_t exponent = (int32_t)((bits >> 23) & 0xff);
    uint32_t mantissa = bits & 0x7fffff;
    if (exponent == 0xff) return sign | (mantissa ? 0x7e00 : 0x7c00);
    int32_t unbiased = exponent - 127;
    if (unbiased > 15) return sign | 0x7c00;
    if (unbiased >= -14) {
        uint32_t h = ((uint32_t)(unbiased + 15) << 10) | (mantissa >> 13);
        uint32_t rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) h++; /* a carry may reach infinity: correct */
        return sign | (uint16_t)h;
    }
    /* Subnormal half (or zero): value = significand * 2^(unbiased - 23), unit 2^-24. */
    if (exponent == 0) return sign; /* float subnormals are far below the half range */
    uint32_t significand = mantissa | 0x800000;
    int32_t shift = -(unbiased + 1);
    if (shift > 24) return sign;
    uint32_t h = significand >> shift;
    uint32_t rest = significand & ((1u << shift) - 1);
    uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (h & 1))) h++;
    return sign | (uint16_t)h;
}

uint16_t infoplane_float_to_bf16(float value) {
    uint32_t bits = float_bits(value);
    if ((bits & 0x7f800000) == 0x7f800000 && (bits & 0x7fffff)) return (uint16_t)((bits >> 16) | 0x40);
    bits += 0x7fff + ((bits >> 16) & 1);
    return (uint16_t)(bits >> 16);
}

float infoplane_f16_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exponent = (h >> 10) & 0x1f;
    uint32_t mantissa = h & 0x3ff;
    if (exponent == 0x1f) return bits_float(sign | 0x7f800000 | (mantissa << 13));
    if (exponent == 0) {
        if (mantissa == 0) return bits_float(sign);
        float magnitude = (float)mantissa / 16777216.0f; /* mantissa * 2^-24, exact */
        return sign ? -magnitude : magnitude;
    }
    return bits_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

float infoplane_bf16_to_float(uint16_t bits) { return bits_float((uint32_t)bits << 16); }
