/*
 * Client lifecycle, settings and accessors.
 */
#define _GNU_SOURCE
#include "client_internal.h"

#include <stdlib.h>
#include <string.h>

infoplane_client *infoplane_client_new(void) {
    infoplane_client *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->fd = -1;
    c->state = CLIENT_DISCONNECTED;
    c->timeout_ms = 30000;
    c->protocol_version = INFOPLANE_PROTOCOL_VERSION;
    c->size_check = true;
    return c;
}

void infoplane_client_free(infoplane_client *c) {
    if (!c) return;
    transport_close(c);
    for (size_t i = 0; i < c->metadata_count; i++) {
        free(c->metadata_keys[i]);
        free(c->metadata_values[i]);
    }
    free(c->metadata_keys);
    free(c->metadata_values);
    free(c->run_id);
    free(c->pending);
    free(c->out);
    free(c->in);
    free(c);
}

infoplane_status infoplane_client_connect(infoplane_client *c, const char *address) {
    if (!c) return INFOPLANE_ERR_INVALID_ARGUMENT;
    client_clear_error(c);
    if (!address || !address[0])
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT,
                           "address is empty; pass a Unix socket path or host:port");
    if (c->state == CLIENT_CONNECTED || c->state == CLIENT_SESSION)
        return client_fail(c, INFOPLANE_ERR_STATE, "already connected; call infoplane_client_goodbye or _close first");
    transport_close(c);
    c->state = CLIENT_DISCONNECTED;
    c->last_sequence = 0;
    c->pending_count = 0;
    c->goodbye_sequence = 0;
    c->goodbye_answered = false;
    c->refused_since_flush = false;
    c->credits = 0;
    infoplane_status s = transport_connect(c, address);
    if (s == INFOPLANE_OK) c->state = CLIENT_CONNECTED;
    return s;
}

void infoplane_client_close(infoplane_client *c) {
    if (!c) return;
    transport_close(c);
    c->state = CLIENT_DISCONNECTED;
    c->credits = 0;
}

infoplane_status infoplane_client_set_timeout_ms(infoplane_client *c, uint32_t timeout_ms) {
    if (!c) return INFOPLANE_ERR_INVALID_ARGUMENT;
    c->timeout_ms = timeout_ms;
    return INFOPLANE_OK;
}

infoplane_status infoplane_client_set_metadata(infoplane_client *c, const char *key, const char *value) {
    if (!c) return INFOPLANE_ERR_INVALID_ARGUMENT;
    client_clear_error(c);
    if (!key || !key[0] || !value)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "metadata needs a non-empty key and a value");
    char *value_copy = strdup(value);
    if (!value_copy) return client_fail(c, INFOPLANE_ERR_NO_MEMORY, "cannot copy metadata value");
    for (size_t i = 0; i < c->metadata_count; i++) {
        if (strcmp(c->metadata_keys[i], key) == 0) {
            free(c->metadata_values[i]);
            c->metadata_values[i] = value_copy;
            return INFOPLANE_OK;
        }
    }
    char *key_copy = strdup(key);
    char **keys = realloc(c->metadata_keys, (c->metadata_count + 1) * sizeof *keys);
    if (keys) c->metadata_keys = keys;
    char **values = realloc(c->metadata_values, (c->metadata_count + 1) * sizeof *values);
    if (values) c->metadata_values = values;
    if (!key_copy || !keys || !values) {
        free(key_copy);
        free(value_copy);
        return client_fail(c, INFOPLANE_ERR_NO_MEMORY, "cannot store metadata \"%s\"", key);
    }
    c->metadata_keys[c->metadata_count] = key_copy;
    c->metadata_values[c->metadata_count] = value_copy;
    c->metadata_count++;
    return INFOPLANE_OK;
}

void infoplane_client_set_refusal_handler(infoplane_client *c, infoplane_refusal_handler handler, void *user_data) {
    if (!c) return;
    c->refusal_handler = handler;
    c->refusal_user_data = user_data;
}

void infoplane_client_set_protocol_version(infoplane_client *c, uint32_t version) {
    if (c) c->protocol_version = version;
}

void infoplane_client_set_size_check(infoplane_client *c, int enabled) {
    if (c) c->size_check = enabled != 0;
}

uint32_t infoplane_client_credits(const infoplane_client *c) { return c ? c->credits : 0; }
uint64_t infoplane_client_max_message_bytes(const infoplane_client *c) { return c ? c->max_message_bytes : 0; }
uint32_t infoplane_client_heartbeat_interval_ms(const infoplane_client *c) { return c ? c->heartbeat_interval_ms : 0; }
uint64_t infoplane_client_session_id(const infoplane_client *c) { return c ? c->session_id : 0; }
const char *infoplane_client_run_id(const infoplane_client *c) { return c && c->run_id ? c->run_id : ""; }
uint64_t infoplane_client_sent_count(const infoplane_client *c) { return c ? c->sent : 0; }
uint64_t infoplane_client_acked_count(const infoplane_client *c) { return c ? c->acked : 0; }
uint64_t infoplane_client_refused_count(const infoplane_client *c) { return c ? c->refused : 0; }
uint64_t infoplane_client_alert_count(const infoplane_client *c) { return c ? c->alerts : 0; }
