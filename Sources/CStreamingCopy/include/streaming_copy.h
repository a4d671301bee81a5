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

#endif
