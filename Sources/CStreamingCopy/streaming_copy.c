#include "streaming_copy.h"

#include <stdint.h>
#include <string.h>

/// Bit 31 of the result is set when the F32 bit pattern `bits` has all exponent bits set
/// (NaN or infinity): the masked exponent is at most 0x7f800000, and adding 0x00800000
/// carries into bit 31 exactly when it is all ones.
static inline uint32_t nonfinite_flag(uint32_t bits) {
    return (bits & 0x7f800000u) + 0x00800000u;
}

/// The values one by one (any alignment).
static uint32_t scalar_nonfinite_flags(const unsigned char *bytes, size_t count) {
    uint32_t flags = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, bytes + 4 * i, 4);
        flags |= nonfinite_flag(bits);
    }
    return flags;
}

#if defined(__x86_64__)
#include <emmintrin.h>

static inline __m128i nonfinite_flags(__m128i v, __m128i exponent, __m128i carry) {
    return _mm_add_epi32(_mm_and_si128(v, exponent), carry);
}

int infoplane_float32_contains_nonfinite(const void *values, size_t count) {
    const unsigned char *v = values;
    const __m128i exponent = _mm_set1_epi32(0x7f800000);
    const __m128i carry = _mm_set1_epi32(0x00800000);
    __m128i flags = _mm_setzero_si128();
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const unsigned char *p = v + 4 * i;
        flags = _mm_or_si128(flags, nonfinite_flags(_mm_loadu_si128((const __m128i *)(p + 0)), exponent, carry));
        flags = _mm_or_si128(flags, nonfinite_flags(_mm_loadu_si128((const __m128i *)(p + 16)), exponent, carry));
        flags = _mm_or_si128(flags, nonfinite_flags(_mm_loadu_si128((const __m128i *)(p + 32)), exponent, carry));
        flags = _mm_or_si128(flags, nonfinite_flags(_mm_loadu_si128((const __m128i *)(p + 48)), exponent, carry));
    }
    return _mm_movemask_ps(_mm_castsi128_ps(flags)) != 0 || (scalar_nonfinite_flags(v + 4 * i, count - i) >> 31) != 0;
}

int infoplane_streaming_copy_checking_float32(void *destination, const void *source, size_t count,
                                              size_t check_begin, size_t check_end) {
    unsigned char *d = destination;
    const unsigned char *s = source;
    // Align the destination to 16 bytes with an ordinary copy of the head.
    size_t head = (16 - ((uintptr_t)d & 15)) & 15;
    if (head > count) head = count;
    memcpy(d, s, head);

    // The main loop copies the 64 bytes at `offset` (a cache line of the destination) and
    // checks the 16 values at `offset + phase`, the first value boundary at or after
    // `offset`; windows that lie wholly inside the range are checked there, the values
    // before the first and after the last such window are checked one by one below.
    const size_t phase = (check_begin + 4 - (head & 3)) & 3;
    const __m128i exponent = _mm_set1_epi32(0x7f800000);
    const __m128i carry = _mm_set1_epi32(0x00800000);
    __m128i flags = _mm_setzero_si128();
    size_t first_window = SIZE_MAX, windows_end = SIZE_MAX;
    size_t offset = head;
    while (count - offset >= 64) {
        const unsigned char *from = s + offset;
        __m128i a = _mm_loadu_si128((const __m128i *)(from + 0));
        __m128i b = _mm_loadu_si128((const __m128i *)(from + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(from + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(from + 48));
        _mm_stream_si128((__m128i *)(d + offset + 0), a);
        _mm_stream_si128((__m128i *)(d + offset + 16), b);
        _mm_stream_si128((__m128i *)(d + offset + 32), c);
        _mm_stream_si128((__m128i *)(d + offset + 48), e);
        size_t window = offset + phase;
        if (window >= check_begin && window + 64 <= check_end) {
            if (phase != 0) {
                // Values straddle the 16-byte loads: read them again at their own boundary
                // (the same cache lines, already in L1).
                a = _mm_loadu_si128((const __m128i *)(s + window + 0));
                b = _mm_loadu_si128((const __m128i *)(s + window + 16));
                c = _mm_loadu_si128((const __m128i *)(s + window + 32));
                e = _mm_loadu_si128((const __m128i *)(s + window + 48));
            }
            flags = _mm_or_si128(flags, nonfinite_flags(a, exponent, carry));
            flags = _mm_or_si128(flags, nonfinite_flags(b, exponent, carry));
            flags = _mm_or_si128(flags, nonfinite_flags(c, exponent, carry));
            flags = _mm_or_si128(flags, nonfinite_flags(e, exponent, carry));
            if (first_window == SIZE_MAX) first_window = window;
            windows_end = window + 64;
        }
        offset += 64;
    }
    memcpy(d + offset, s + offset, count - offset);
    _mm_sfence();

    int found = _mm_movemask_ps(_mm_castsi128_ps(flags)) != 0;
    if (first_window == SIZE_MAX) {
        found |= infoplane_float32_contains_nonfinite(s + check_begin, (check_end - check_begin) / 4);
    } else {
        found |= infoplane_float32_contains_nonfinite(s + check_begin, (first_window - check_begin) / 4);
        found |= infoplane_float32_contains_nonfinite(s + windows_end, (check_end - windows_end) / 4);
    }
    return found;
}

void infoplane_streaming_copy(void *destination, const void *source, size_t count) {
    (void)infoplane_streaming_copy_checking_float32(destination, source, count, 0, 0);
}

#else

int infoplane_float32_contains_nonfinite(const void *values, size_t count) {
    return (scalar_nonfinite_flags(values, count) >> 31) != 0;
}

int infoplane_streaming_copy_checking_float32(void *destination, const void *source, size_t count,
                                              size_t check_begin, size_t check_end) {
    memcpy(destination, source, count);
    return infoplane_float32_contains_nonfinite((const unsigned char *)source + check_begin, (check_end - check_begin) / 4);
}

void infoplane_streaming_copy(void *destination, const void *source, size_t count) {
    memcpy(destination, source, count);
}

#endif
