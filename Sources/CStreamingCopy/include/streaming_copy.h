// Copying into memory that will not be read again soon, without pulling it into the cache.
#ifndef INFOPLANE_STREAMING_COPY_H
#define INFOPLANE_STREAMING_COPY_H

#include <stddef.h>

/// Copies `count` bytes from `source` to `destination` (which must not overlap) with
/// non-temporal (streaming) stores where the platform has them, then orders those stores
/// before any later store (sfence), so the bytes are visible to whichever thread is handed
/// the destination afterwards.
///
/// An ordinary copy into a large cold buffer first reads every destination cache line
/// (read-for-ownership) and then evicts useful data to hold it; for a 16.8 MB snapshot
/// frame assembled from socket reads that made the copy ~5x slower than streaming it
/// (Documentation/performance.md, "Ingest throughput"). Use it for buffers of megabytes
/// that are consumed later; small copies are faster through the cache.
void infoplane_streaming_copy(void *destination, const void *source, size_t count);

/// 1 when some of the `count` little-endian F32 values at `values` (any alignment) is a NaN
/// or an infinity (exponent bits all ones), 0 when all are finite. The one finiteness check
/// of the protocol module: `Infoplane_V1_Tensor.containsNonFinite` calls it too.
int infoplane_float32_contains_nonfinite(const void *values, size_t count);

/// `infoplane_streaming_copy`, which also reports whether the little-endian F32 values in
/// bytes `check_begin ..< check_end` of `source` include a NaN or an infinity (exponent
/// bits all ones): 1 if one does, 0 if all are finite. The values are checked from the
/// registers the copy loads them into, so checking costs no second pass over memory.
/// Requires `check_begin <= check_end <= count` and `(check_end - check_begin) % 4 == 0`;
/// the values may start at any byte offset. An empty range checks nothing and returns 0.
int infoplane_streaming_copy_checking_float32(void *destination, const void *source, size_t count,
                                              size_t check_begin, size_t check_end);

#endif
