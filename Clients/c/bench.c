/*
 * bench.c — throughput of the C client against a running infoplaned: sends FRAMES probe
 * frames of LAYERS layers (ROWS × FEATURES float32 each) and prints messages/s and MB/s
 * of tensor payload, measured from the first send to the last Ack (bounded by the daemon),
 * and the client's own CPU time per MB (the cost to the training process).
 *
 *   make -C Clients/c bench
 *   Clients/c/bench ADDRESS [FRAMES] [ROWS] [FEATURES] [LAYERS]
 */
#define _POSIX_C_SOURCE 200809L
#include "infoplane_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* CPU time (user + system) this process used so far. */
static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: bench ADDRESS [FRAMES] [ROWS] [FEATURES] [LAYERS]\n"); return 2; }
    int frames = argc > 2 ? atoi(argv[2]) : 50;
    uint32_t rows = argc > 3 ? (uint32_t)atoi(argv[3]) : 4096;
    uint32_t features = argc > 4 ? (uint32_t)atoi(argv[4]) : 64;
    int layers = argc > 5 ? atoi(argv[5]) : 4;
    float *values = malloc(sizeof(float) * rows * features);
    int64_t *ids = malloc(sizeof(int64_t) * rows);
    if (!values || !ids) return 1;
    for (uint32_t i = 0; i < rows * features; i++) values[i] = (float)(i % 1000) / 1000.0f;
    for (uint32_t r = 0; r < rows; r++) ids[r] = r;

    infoplane_client *c = infoplane_client_new();
    if (!c || infoplane_client_connect(c, argv[1]) != INFOPLANE_OK ||
        infoplane_client_hello(c, "c-bench", NULL, NULL) != INFOPLANE_OK) {
        fprintf(stderr, "bench: %s\n", c ? infoplane_client_last_error(c) : "out of memory");
        return 1;
    }
    char names[16][16];
    double start = seconds(), cpu_start = cpu_seconds();
    for (int f = 0; f < frames; f++) {
        for (int l = 0; l < layers && l < 16; l++) {
            snprintf(names[l], sizeof names[l], "layer%d", l);
            infoplane_snapshot s = INFOPLANE_SNAPSHOT_INIT;
            s.step = f;
            s.layer = names[l];
            s.rows = rows;
            s.features = features;
            s.values = values;
            s.sample_ids = ids;
            s.frame_layer_count = (uint32_t)layers;
            if (infoplane_client_send_layer(c, &s, 0) != INFOPLANE_OK) {
                fprintf(stderr, "bench: %s\n", infoplane_client_last_error(c));
                return 1;
            }
        }
    }
    if (infoplane_client_flush(c) != INFOPLANE_OK) { fprintf(stderr, "bench: %s\n", infoplane_client_last_error(c)); return 1; }
    double elapsed = seconds() - start, cpu = cpu_seconds() - cpu_start;
    uint64_t messages = infoplane_client_acked_count(c);
    double megabytes = (double)frames * layers * rows * (features * 4.0 + 8.0) / 1e6;
    printf("c-client bench: %d frames x %d layers x %u rows x %u f32: %llu messages acked in %.3f s: "
           "%.0f messages/s, %.1f MB/s, %.1f frames/s; client CPU %.3f s (%.0f MB per CPU-second)\n",
           frames, layers, rows, features, (unsigned long long)messages, elapsed, (double)messages / elapsed,
           megabytes / elapsed, frames / elapsed, cpu, cpu > 0 ? megabytes / cpu : 0.0);
    infoplane_client_goodbye(c, "bench done");
    infoplane_client_free(c);
    free(values);
    free(ids);
    return 0;
}
