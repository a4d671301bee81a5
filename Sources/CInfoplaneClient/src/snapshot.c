/*
 * Snapshot messages: one layer's values for a set of samples at one step, sent as one
 * message or split by rows into chunks.
 */
#include "client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_IS_BIG_ENDIAN 1
#else
#define HOST_IS_BIG_ENDIAN 0
#endif

/* Bytes per element, 0 for an unknown dtype. */
static size_t element_size(infoplane_dtype dtype) {
    switch (dtype) {
    case INFOPLANE_DTYPE_F16:
    case INFOPLANE_DTYPE_BF16: return 2;
    case INFOPLANE_DTYPE_F32:
    case INFOPLANE_DTYPE_I32: return 4;
    case INFOPLANE_DTYPE_F64:
    case INFOPLANE_DTYPE_I64: return 8;
    }
    return 0;
}

static bool is_integer(infoplane_dtype dtype) {
    return dtype == INFOPLANE_DTYPE_I32 || dtype == INFOPLANE_DTYPE_I64;
}

/* Wire bytes of `count` elements of `size` bytes: the caller's buffer itself on
 * little-endian hosts, a byte-swapped copy (to free) on big-endian ones. */
static const uint8_t *little_endian_bytes(const void *data, size_t count, size_t size, uint8_t **copy) {
    *copy = NULL;
    if (!HOST_IS_BIG_ENDIAN || size == 1) return data;
    uint8_t *out = malloc(count * size);
    if (!out) return NULL;
    const uint8_t *in = data;
    for (size_t i = 0; i < count; i++)
        for (size_t b = 0; b < size; b++) out[i * size + b] = in[i * size + size - 1 - b];
    *copy = out;
    return out;
}

static infoplane_status validate(infoplane_client *c, const infoplane_snapshot *s, size_t *value_count) {
    if (!s) return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "snapshot is NULL");
    if (!s->layer || !s->layer[0])
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "snapshot layer name is empty; name the layer (e.g. \"fc1\")");
    if (s->rows == 0)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "snapshot of layer \"%s\" has no rows", s->layer);
    if (!s->values || !s->sample_ids)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT,
                           "snapshot of layer \"%s\" needs both values and sample_ids", s->layer);
    if (element_size(s->dtype) == 0)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "snapshot of layer \"%s\": unknown dtype %d",
                           s->layer, (int)s->dtype);
    if (s->features == 0 && !is_integer(s->dtype))
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT,
                           "snapshot of layer \"%s\": features must be >= 1 for floating-point values", s->layer);
    if (s->split < INFOPLANE_SPLIT_TRAIN || s->split > INFOPLANE_SPLIT_PROBE)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "snapshot of layer \"%s\": unknown split %d",
                           s->layer, (int)s->split);
    if (s->role < INFOPLANE_ROLE_INPUT || s->role > INFOPLANE_ROLE_LABEL)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "snapshot of layer \"%s\": unknown role %d",
                           s->layer, (int)s->role);
    size_t per_row = s->features ? s->features : 1;
    size_t count = (size_t)s->rows * per_row;
    if (count / per_row != s->rows || count > SIZE_MAX / 8)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "snapshot of layer \"%s\" is too large to address",
                           s->layer);
    *value_count = count;
    return INFOPLANE_OK;
}

infoplane_status infoplane_client_send_snapshot(infoplane_client *c, const infoplane_snapshot *s) {
    if (!c) return INFOPLANE_ERR_INVALID_ARGUMENT;
    client_clear_error(c);
    size_t count = 0;
    infoplane_status status = validate(c, s, &count);
    if (status != INFOPLANE_OK) return status;
    uint32_t chunk_count = s->chunk_count ? s->chunk_count : 1;

    size_t size = element_size(s->dtype);
    uint8_t *values_copy = NULL, *ids_copy = NULL;
    const uint8_t *value_bytes = little_endian_bytes(s->values, count, size, &values_copy);
    const uint8_t *id_bytes = little_endian_bytes(s->sample_ids, s->rows, 8, &ids_copy);
    if (!value_bytes || !id_bytes) {
        free(values_copy);
        free(ids_copy);
        return client_fail(c, INFOPLANE_ERR_NO_MEMORY, "cannot allocate the byte-swapped values");
    }

    uint32_t value_shape[2] = {s->rows, s->features};
    uint32_t id_shape[1] = {s->rows};
    Infoplane__V1__Tensor values = INFOPLANE__V1__TENSOR__INIT;
    values.n_shape = s->features ? 2 : 1;
    values.shape = value_shape;
    values.dtype = (Infoplane__V1__DType)s->dtype;
    values.data.len = count * size;
    values.data.data = (uint8_t *)value_bytes;
    Infoplane__V1__Tensor ids = INFOPLANE__V1__TENSOR__INIT;
    ids.n_shape = 1;
    ids.shape = id_shape;
    ids.dtype = INFOPLANE__V1__DTYPE__DTYPE_I64;
    ids.data.len = (size_t)s->rows * 8;
    ids.data.data = (uint8_t *)id_bytes;

    Infoplane__V1__Snapshot snapshot = INFOPLANE__V1__SNAPSHOT__INIT;
    snapshot.step = s->step;
    snapshot.epoch = s->epoch;
    snapshot.split = (Infoplane__V1__Split)s->split;
    snapshot.layer = (char *)s->layer;
    snapshot.role = (Infoplane__V1__Role)s->role;
    snapshot.sample_ids = &ids;
    snapshot.values = &values;
    snapshot.chunk_index = s->chunk_index;
    snapshot.chunk_count = chunk_count;
    snapshot.frame_layer_count = s->frame_layer_count;
    Infoplane__V1__ClientMessage m = INFOPLANE__V1__CLIENT_MESSAGE__INIT;
    m.kind_case = INFOPLANE__V1__CLIENT_MESSAGE__KIND_SNAPSHOT;
    m.snapshot = &snapshot;

    char description[96];
    snprintf(description, sizeof description, "snapshot of layer \"%.40s\" at step %lld, chunk %u/%u",
             s->layer, (long long)s->step, s->chunk_index + 1, chunk_count);
    status = session_send_counted(c, &m, description);
    free(values_copy);
    free(ids_copy);
    return status;
}

infoplane_status infoplane_client_send_layer(infoplane_client *c, const infoplane_snapshot *s,
                                             uint32_t rows_per_chunk) {
    if (!c) return INFOPLANE_ERR_INVALID_ARGUMENT;
    client_clear_error(c);
    size_t count = 0;
    infoplane_status status = validate(c, s, &count);
    if (status != INFOPLANE_OK) return status;
    size_t size = element_size(s->dtype);
    size_t row_bytes = (s->features ? s->features : 1) * size;
    if (rows_per_chunk == 0) {
        rows_per_chunk = s->rows;
        if (c->max_message_bytes) {
            /* Envelope, scalar fields, tensor headers and the layer name, generously. */
            size_t overhead = 128 + strlen(s->layer);
            size_t fit = c->max_message_bytes > overhead ? (c->max_message_bytes - overhead) / (row_bytes + 8) : 0;
            if (fit == 0)
                return client_fail(c, INFOPLANE_ERR_TOO_LARGE,
                                   "one row of layer \"%s\" (%zu bytes) does not fit in the daemon's "
                                   "max_message_bytes (%llu)", s->layer, row_bytes + 8,
                                   (unsigned long long)c->max_message_bytes);
            if (fit < rows_per_chunk) rows_per_chunk = (uint32_t)fit;
        }
    }
    uint32_t chunks = (s->rows + rows_per_chunk - 1) / rows_per_chunk;
    for (uint32_t i = 0; i < chunks; i++) {
        uint32_t first = i * rows_per_chunk;
        infoplane_snapshot chunk = *s;
        chunk.rows = s->rows - first < rows_per_chunk ? s->rows - first : rows_per_chunk;
        chunk.values = (const uint8_t *)s->values + (size_t)first * row_bytes;
        chunk.sample_ids = s->sample_ids + first;
        chunk.chunk_index = i;
        chunk.chunk_count = chunks;
        status = infoplane_client_send_snapshot(c, &chunk);
        if (status != INFOPLANE_OK) return status;
    }
    return INFOPLANE_OK;
}

infoplane_status infoplane_client_send_labels(infoplane_client *c, int64_t step, int64_t epoch,
                                              infoplane_split split, const char *layer,
                                              const int64_t *sample_ids, const int64_t *labels,
                                              uint32_t rows, uint32_t frame_layer_count) {
    infoplane_snapshot s = INFOPLANE_SNAPSHOT_INIT;
    s.step = step;
    s.epoch = epoch;
    s.split = split;
    s.layer = layer;
    s.role = INFOPLANE_ROLE_LABEL;
    s.rows = rows;
    s.features = 0;
    s.dtype = INFOPLANE_DTYPE_I64;
    s.values = labels;
    s.sample_ids = sample_ids;
    s.frame_layer_count = frame_layer_count;
    return infoplane_client_send_layer(c, &s, 0);
}
