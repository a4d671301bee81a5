#include "streaming_copy.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <emmintrin.h>

void infoplane_streaming_copy(void *destination, const void *source, size_t count) {
    unsigned char *d = destination;
    const unsigned char *s = source;
    // Align the destination to 16 bytes with an ordinary copy of the head.
    size_t head = (16 - ((uintptr_t)d & 15)) & 15;
    if (head > count) head = count;
    memcpy(d, s, head);
    d += head; s += head; count -= head;
    // SSE2 is part of x86-64: 64 bytes (one cache line) per iteration.
    while (count >= 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(s + 0));
        __m128i b = _mm_loadu_si128((const __m128i *)(s + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(s + 48));
        _mm_stream_si128((__m128i *)(d + 0), a);
        _mm_stream_si128((__m128i *)(d + 16), b);
        _mm_stream_si128((__m128i *)(d + 32), c);
        _mm_stream_si128((__m128i *)(d + 48), e);
        d += 64; s += 64; count -= 64;
    }
    memcpy(d, s, count);
    _mm_sfence();
}

#else

void infoplane_streaming_copy(void *destination, const void *source, size_t count) {
    memcpy(destination, source, count);
}

#endif
