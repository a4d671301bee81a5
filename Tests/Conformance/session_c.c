/*
 * Sends the conformance session (README.md) with the C client library.
 * Usage: session_c ADDRESS
 */
#include "infoplane_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES 4096
#define FRAME_LAYERS 6
#define MAX_ROWS 300

typedef struct { const char *name; int index; infoplane_split split; uint32_t rows; int64_t id_base, id_stride;
                 int steps[3]; int step_count; } run_spec;
typedef struct { const char *name; infoplane_role role; infoplane_dtype dtype; uint32_t features; size_t size; } layer_spec;

static const run_spec RUNS[] = {
    {"conformance-alpha", 0, INFOPLANE_SPLIT_PROBE, 300, 1000, 3, {0, 7, 30}, 3},
    {"conformance-beta", 1, INFOPLANE_SPLIT_VALIDATION, 129, 7, 5, {0, 100}, 2},
};
static const layer_spec LAYERS[] = {
    {"inputs", INFOPLANE_ROLE_INPUT, INFOPLANE_DTYPE_F32, 12, 4},
    {"labels", INFOPLANE_ROLE_LABEL, INFOPLANE_DTYPE_I64, 0, 8},
    {"h1", INFOPLANE_ROLE_HIDDEN, INFOPLANE_DTYPE_F32, 10, 4},
    {"h2", INFOPLANE_ROLE_HIDDEN, INFOPLANE_DTYPE_F16, 7, 2},
    {"h3", INFOPLANE_ROLE_HIDDEN, INFOPLANE_DTYPE_BF16, 5, 2},
    {"out", INFOPLANE_ROLE_OUTPUT, INFOPLANE_DTYPE_F64, 2, 8},
};

static double value(int run, int64_t step, int layer, int64_t id, int column) {
    return (double)((id * 7 + column * 13 + step * 3 + layer * 29 + run * 11) % 255 - 127) / 64.0;
}

static int check(infoplane_client *c, infoplane_status s, const char *what) {
    if (s == INFOPLANE_OK) return 0;
    fprintf(stderr, "c: %s failed: %s: %s\n", what, infoplane_status_name(s), infoplane_client_last_error(c));
    return 1;
}

/* Fills `out` with the layer's values in its wire dtype. */
static void fill(const layer_spec *l, int run, int64_t step, int layer, const int64_t *ids, uint32_t rows, void *out) {
    for (uint32_t r = 0; r < rows; r++) {
        if (l->role == INFOPLANE_ROLE_LABEL) { ((int64_t *)out)[r] = (ids[r] + step + run) % 3; continue; }
        for (uint32_t j = 0; j < l->features; j++) {
            double v = value(run, step, layer, ids[r], (int)j);
            size_t k = (size_t)r * l->features + j;
            switch (l->dtype) {
            case INFOPLANE_DTYPE_F32: ((float *)out)[k] = (float)v; break;
            case INFOPLANE_DTYPE_F16: ((uint16_t *)out)[k] = infoplane_float_to_f16((float)v); break;
            case INFOPLANE_DTYPE_BF16: ((uint16_t *)out)[k] = infoplane_float_to_bf16((float)v); break;
            case INFOPLANE_DTYPE_F64: ((double *)out)[k] = v; break;
            default: break;
            }
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: session_c ADDRESS\n"); return 2; }
    static int64_t ids[MAX_ROWS];
    static double buffer[MAX_ROWS * 12]; /* large and aligned enough for every dtype */
    for (size_t i = 0; i < sizeof RUNS / sizeof RUNS[0]; i++) {
        const run_spec *run = &RUNS[i];
        for (uint32_t r = 0; r < run->rows; r++) ids[r] = run->id_base + run->id_stride * r;
        infoplane_client *c = infoplane_client_new();
        if (!c) return 1;
        if (check(c, infoplane_client_connect(c, argv[1]), "connect") ||
            check(c, infoplane_client_hello(c, run->name, "conformance-c", NULL), "hello"))
            return 1;
        for (int k = 0; k < run->step_count; k++) {
            int64_t step = run->steps[k];
            for (int l = 0; l < (int)(sizeof LAYERS / sizeof LAYERS[0]); l++) {
                const layer_spec *layer = &LAYERS[l];
                fill(layer, run->index, step, l, ids, run->rows, buffer);
                infoplane_snapshot s = INFOPLANE_SNAPSHOT_INIT;
                s.step = step;
                s.epoch = step / 10;
                s.split = run->split;
                s.layer = layer->name;
                s.role = layer->role;
                s.rows = run->rows;
                s.features = layer->features;
                s.dtype = layer->dtype;
                s.values = buffer;
                s.sample_ids = ids;
                s.frame_layer_count = FRAME_LAYERS;
                size_t row_bytes = (layer->features ? layer->features : 1) * layer->size;
                uint32_t per_chunk = (uint32_t)(CHUNK_BYTES / (row_bytes + 8));
                if (check(c, infoplane_client_send_layer(c, &s, per_chunk ? per_chunk : 1), layer->name)) return 1;
            }
            const char *train_names[] = {"loss", "accuracy"};
            double train_values[] = {2.5 - (double)step / 64, (double)(step % 8) / 8};
            const char *validation_names[] = {"val_loss"};
            double validation_values[] = {3 - (double)step / 128};
            if (check(c, infoplane_client_send_scalars(c, step, step / 10, INFOPLANE_SPLIT_TRAIN, train_names,
                                                       train_values, 2), "train scalars") ||
                check(c, infoplane_client_send_scalars(c, step, step / 10, INFOPLANE_SPLIT_VALIDATION,
                                                       validation_names, validation_values, 1), "validation scalars"))
                return 1;
        }
        if (check(c, infoplane_client_goodbye(c, "conformance session done"), "goodbye")) return 1;
        printf("c: %s: %llu sent, %llu acknowledged, %llu refused\n", run->name,
               (unsigned long long)infoplane_client_sent_count(c), (unsigned long long)infoplane_client_acked_count(c),
               (unsigned long long)infoplane_client_refused_count(c));
        int complete = infoplane_client_acked_count(c) == infoplane_client_sent_count(c);
        infoplane_client_free(c);
        if (!complete) return 1;
    }
    return 0;
}
