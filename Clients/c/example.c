/*
 * example.c — streams a few synthetic probe frames and scalars to infoplaned with the C
 * client, the way a C/C++ training loop would.
 *
 *   make -C Clients/c
 *   Clients/c/example [ADDRESS] [RUN_NAME]
 *
 * ADDRESS is a Unix socket path or host:port (default: $INFOPLANE_ADDRESS, else
 * /run/infoplane/infoplane.sock). Exits 0 when every message was acknowledged.
 */
#include "infoplane_client.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { SAMPLES = 512, INPUTS = 12, HIDDEN1 = 10, HIDDEN2 = 7, STEPS = 5, EVERY = 100 };

static int fail(infoplane_client *c, const char *what, infoplane_status s) {
    fprintf(stderr, "example: %s failed: %s: %s\n", what, infoplane_status_name(s), infoplane_client_last_error(c));
    infoplane_client_free(c);
    return 1;
}

/* A tiny fixed random network: tanh(W x) with weights that drift with the step. */
static void layer(const float *in, int in_n, float *out, int out_n, int step, int salt) {
    for (int o = 0; o < out_n; o++) {
        float sum = 0;
        for (int i = 0; i < in_n; i++) sum += in[i] * sinf((float)(o * 31 + i * 7 + salt) + 0.001f * (float)step);
        out[o] = tanhf(sum / sqrtf((float)in_n));
    }
}

int main(int argc, char **argv) {
    const char *address = argc > 1 ? argv[1] : getenv("INFOPLANE_ADDRESS");
    if (!address) address = "/run/infoplane/infoplane.sock";
    const char *run = argc > 2 ? argv[2] : "c-example";

    static float inputs[SAMPLES][INPUTS], hidden1[SAMPLES][HIDDEN1];
    static uint16_t hidden2[SAMPLES][HIDDEN2]; /* sent as F16 */
    static int64_t ids[SAMPLES], labels[SAMPLES];
    for (int n = 0; n < SAMPLES; n++) {
        ids[n] = n;
        int ones = 0;
        for (int i = 0; i < INPUTS; i++) { inputs[n][i] = (float)((n >> i) & 1); ones += (n >> i) & 1; }
        labels[n] = ones % 2;
    }

    infoplane_client *c = infoplane_client_new();
    if (!c) return 1;
    infoplane_client_set_metadata(c, "model", "12-10-7 tanh (synthetic)");
    infoplane_status s = infoplane_client_connect(c, address);
    if (s != INFOPLANE_OK) return fail(c, "connect", s);
    uint32_t credits = 0;
    s = infoplane_client_hello(c, run, NULL, &credits);
    if (s != INFOPLANE_OK) return fail(c, "hello", s);
    printf("example: connected to %s, run \"%s\" (id %s), %u credits, max message %llu bytes\n", address, run,
           infoplane_client_run_id(c), credits, (unsigned long long)infoplane_client_max_message_bytes(c));

    const uint32_t layers_per_frame = 4; /* inputs, labels, h1, h2 */
    for (int k = 0; k < STEPS; k++) {
        int step = k * EVERY;
        float h2[HIDDEN2];
        for (int n = 0; n < SAMPLES; n++) {
            layer(inputs[n], INPUTS, hidden1[n], HIDDEN1, step, 1);
            layer(hidden1[n], HIDDEN1, h2, HIDDEN2, step, 2);
            for (int j = 0; j < HIDDEN2; j++) hidden2[n][j] = infoplane_float_to_f16(h2[j]);
        }
        infoplane_snapshot snap = INFOPLANE_SNAPSHOT_INIT;
        snap.step = step;
        snap.epoch = k;
        snap.rows = SAMPLES;
        snap.sample_ids = ids;
        snap.frame_layer_count = layers_per_frame;

        snap.layer = "inputs"; snap.role = INFOPLANE_ROLE_INPUT;
        snap.features = INPUTS; snap.dtype = INFOPLANE_DTYPE_F32; snap.values = inputs;
        if ((s = infoplane_client_send_layer(c, &snap, 0)) != INFOPLANE_OK) return fail(c, "send inputs", s);

        s = infoplane_client_send_labels(c, step, k, INFOPLANE_SPLIT_PROBE, "labels", ids, labels, SAMPLES,
                                         layers_per_frame);
        if (s != INFOPLANE_OK) return fail(c, "send labels", s);

        snap.layer = "h1"; snap.role = INFOPLANE_ROLE_HIDDEN;
        snap.features = HIDDEN1; snap.dtype = INFOPLANE_DTYPE_F32; snap.values = hidden1;
        if ((s = infoplane_client_send_layer(c, &snap, 128)) != INFOPLANE_OK) return fail(c, "send h1", s);

        snap.layer = "h2"; snap.features = HIDDEN2; snap.dtype = INFOPLANE_DTYPE_F16; snap.values = hidden2;
        if ((s = infoplane_client_send_layer(c, &snap, 0)) != INFOPLANE_OK) return fail(c, "send h2", s);

        const char *names[] = {"loss", "accuracy"};
        double values[] = {0.7 * exp(-0.002 * step), 0.5 + 0.4 * (1 - exp(-0.002 * step))};
        s = infoplane_client_send_scalars(c, step, k, INFOPLANE_SPLIT_TRAIN, names, values, 2);
        if (s != INFOPLANE_OK) return fail(c, "send scalars", s);
        printf("example: step %d sent\n", step);
    }
    s = infoplane_client_goodbye(c, "example finished");
    if (s != INFOPLANE_OK) return fail(c, "goodbye", s);
    printf("example: %llu messages sent, %llu acknowledged, %llu refused\n",
           (unsigned long long)infoplane_client_sent_count(c), (unsigned long long)infoplane_client_acked_count(c),
           (unsigned long long)infoplane_client_refused_count(c));
    int ok = infoplane_client_acked_count(c) == infoplane_client_sent_count(c);
    infoplane_client_free(c);
    return ok ? 0 : 1;
}
