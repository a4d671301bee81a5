/*
 * The session: Hello/Welcome, credit-spending sends, Heartbeat, flush and Goodbye.
 */
#define _GNU_SOURCE
#include "client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static infoplane_status require_session(infoplane_client *c) {
    switch (c->state) {
    case CLIENT_SESSION: return INFOPLANE_OK;
    case CLIENT_DISCONNECTED:
        return client_fail(c, INFOPLANE_ERR_STATE, "not connected: call infoplane_client_connect and infoplane_client_hello first");
    case CLIENT_CONNECTED:
        return client_fail(c, INFOPLANE_ERR_STATE, "no session yet: call infoplane_client_hello first");
    case CLIENT_ENDED:
        return client_fail(c, INFOPLANE_ERR_STATE,
                           "the session has ended (see the error returned earlier); connect and say hello again");
    }
    return INFOPLANE_ERR_STATE;
}

/* After a failed write, the daemon may have explained itself (e.g. MESSAGE_TOO_LARGE)
 * before closing: prefer its Error over the bare I/O failure. */
static infoplane_status explain_write_failure(infoplane_client *c, infoplane_status write_status) {
    char saved[sizeof c->error];
    memcpy(saved, c->error, sizeof saved);
    Infoplane__V1__ServerMessage *m = NULL;
    for (;;) {
        infoplane_status s = transport_read_message(c, false, &m);
        if (s != INFOPLANE_OK || !m) break;
        s = answers_handle(c, m);
        infoplane__v1__server_message__free_unpacked(m, NULL);
        m = NULL;
        if (s != INFOPLANE_OK) return s; /* a fatal Error: its sentence is in last_error */
    }
    answers_end_session(c);
    memcpy(c->error, saved, sizeof saved);
    return write_status;
}

infoplane_status session_prepare_send(infoplane_client *c, bool spends_credit) {
    infoplane_status s = require_session(c);
    if (s != INFOPLANE_OK) return s;
    s = answers_drain(c);
    if (s != INFOPLANE_OK) return s;
    while (spends_credit && c->credits == 0) {
        s = answers_wait_one(c);
        if (s != INFOPLANE_OK) return s;
    }
    return INFOPLANE_OK;
}

infoplane_status session_send_counted(infoplane_client *c, Infoplane__V1__ClientMessage *m,
                                      const char *description) {
    infoplane_status s = require_session(c);
    if (s != INFOPLANE_OK) return s;
    s = answers_drain(c);
    if (s != INFOPLANE_OK) return s;
    m->sequence = c->last_sequence + 1;
    size_t frame = 0, body = 0;
    s = transport_encode(c, m, &frame, &body);
    if (s != INFOPLANE_OK) return s;
    if (c->size_check && c->max_message_bytes && body > c->max_message_bytes)
        return client_fail(c, INFOPLANE_ERR_TOO_LARGE,
                           "%s encodes to %zu bytes, more than the daemon accepts (max_message_bytes %llu); "
                           "send fewer rows per chunk (infoplane_client_send_layer chunks automatically)",
                           description, body, (unsigned long long)c->max_message_bytes);
    s = session_prepare_send(c, true); /* waits for a credit; c->out is left untouched */
    if (s != INFOPLANE_OK) return s;
    s = answers_push_pending(c, m->sequence, description);
    if (s != INFOPLANE_OK) return s;
    c->last_sequence = m->sequence;
    c->credits--;
    c->sent++;
    s = transport_write_encoded(c, frame);
    if (s != INFOPLANE_OK) return explain_write_failure(c, s);
    return INFOPLANE_OK;
}

static void reset_welcome(infoplane_client *c) {
    c->credits = 0;
    c->max_message_bytes = 0;
    c->heartbeat_interval_ms = 0;
    c->session_id = 0;
    free(c->run_id);
    c->run_id = NULL;
}

infoplane_status infoplane_client_hello(infoplane_client *c, const char *run_name,
                                        const char *client_name, uint32_t *credits) {
    if (!c) return INFOPLANE_ERR_INVALID_ARGUMENT;
    client_clear_error(c);
    if (c->state == CLIENT_SESSION)
        return client_fail(c, INFOPLANE_ERR_STATE, "hello was already answered on this connection");
    if (c->state != CLIENT_CONNECTED)
        return client_fail(c, INFOPLANE_ERR_STATE, "not connected: call infoplane_client_connect first");
    if (!run_name || !run_name[0])
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "the run name is required (non-empty, at most 128 bytes)");

    Infoplane__V1__Hello__MetadataEntry *entries = NULL;
    Infoplane__V1__Hello__MetadataEntry **entry_pointers = NULL;
    if (c->metadata_count) {
        entries = calloc(c->metadata_count, sizeof *entries);
        entry_pointers = calloc(c->metadata_count, sizeof *entry_pointers);
        if (!entries || !entry_pointers) {
            free(entries);
            free(entry_pointers);
            return client_fail(c, INFOPLANE_ERR_NO_MEMORY, "cannot allocate the Hello metadata");
        }
    }
    for (size_t i = 0; i < c->metadata_count; i++) {
        infoplane__v1__hello__metadata_entry__init(&entries[i]);
        entries[i].key = c->metadata_keys[i];
        entries[i].value = c->metadata_values[i];
        entry_pointers[i] = &entries[i];
    }
    Infoplane__V1__Hello hello = INFOPLANE__V1__HELLO__INIT;
    hello.protocol_version = c->protocol_version;
    hello.client_name = (char *)(client_name ? client_name : INFOPLANE_CLIENT_NAME);
    hello.run_name = (char *)run_name;
    hello.n_metadata = c->metadata_count;
    hello.metadata = entry_pointers;
    Infoplane__V1__ClientMessage m = INFOPLANE__V1__CLIENT_MESSAGE__INIT;
    m.sequence = c->last_sequence + 1;
    m.kind_case = INFOPLANE__V1__CLIENT_MESSAGE__KIND_HELLO;
    m.hello = &hello;
    infoplane_status s = transport_write_message(c, &m);
    free(entries);
    free(entry_pointers);
    if (s != INFOPLANE_OK) return explain_write_failure(c, s);
    c->last_sequence = m.sequence;

    Infoplane__V1__ServerMessage *answer = NULL;
    s = transport_read_message(c, true, &answer);
    if (s != INFOPLANE_OK) {
        answers_end_session(c);
        return s;
    }
    switch (answer->kind_case) {
    case INFOPLANE__V1__SERVER_MESSAGE__KIND_WELCOME: {
        const Infoplane__V1__Welcome *w = answer->welcome;
        reset_welcome(c);
        c->credits = w->credits;
        c->max_message_bytes = w->max_message_bytes;
        c->heartbeat_interval_ms = w->heartbeat_interval_ms;
        c->session_id = w->session_id;
        c->run_id = strdup(w->run_id ? w->run_id : "");
        c->state = CLIENT_SESSION;
        if (credits) *credits = c->credits;
        s = c->run_id ? INFOPLANE_OK : client_fail(c, INFOPLANE_ERR_NO_MEMORY, "cannot copy the run id");
        break;
    }
    case INFOPLANE__V1__SERVER_MESSAGE__KIND_ERROR: {
        const Infoplane__V1__Error *e = answer->error;
        c->last_server_code = (infoplane_server_error)e->code;
        const char *sentence = e->message ? e->message : "";
        const char *code = infoplane_server_error_name((infoplane_server_error)e->code);
        if (e->fatal) {
            answers_end_session(c);
            s = client_fail(c, INFOPLANE_ERR_SERVER_FATAL,
                            "the daemon refused Hello for run \"%s\" with %s (fatal, session closed): %s",
                            run_name, code, sentence);
        } else {
            s = client_fail(c, INFOPLANE_ERR_REFUSED, "the daemon refused Hello for run \"%s\" with %s: %s",
                            run_name, code, sentence);
        }
        break;
    }
    default:
        answers_end_session(c);
        s = client_fail(c, INFOPLANE_ERR_PROTOCOL, "the daemon answered Hello with something other than Welcome or Error");
    }
    infoplane__v1__server_message__free_unpacked(answer, NULL);
    return s;
}

infoplane_status infoplane_client_send_scalars(infoplane_client *c, int64_t step, int64_t epoch,
                                               infoplane_split split, const char *const *names,
                                               const double *values, size_t count) {
    if (!c) return INFOPLANE_ERR_INVALID_ARGUMENT;
    client_clear_error(c);
    if (count == 0 || !names || !values)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "scalars need at least one name and value");
    if (split < INFOPLANE_SPLIT_TRAIN || split > INFOPLANE_SPLIT_PROBE)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "unknown split %d", (int)split);
    for (size_t i = 0; i < count; i++) {
        if (!names[i] || !names[i][0])
            return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "scalar name %zu is empty", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "scalar name \"%s\" appears twice", names[i]);
    }
    Infoplane__V1__Scalars__ValuesEntry *entries = calloc(count, sizeof *entries);
    Infoplane__V1__Scalars__ValuesEntry **pointers = calloc(count, sizeof *pointers);
    if (!entries || !pointers) {
        free(entries);
        free(pointers);
        return client_fail(c, INFOPLANE_ERR_NO_MEMORY, "cannot allocate %zu scalar entries", count);
    }
    for (size_t i = 0; i < count; i++) {
        infoplane__v1__scalars__values_entry__init(&entries[i]);
        entries[i].key = (char *)names[i];
        entries[i].value = values[i];
        pointers[i] = &entries[i];
    }
    Infoplane__V1__Scalars scalars = INFOPLANE__V1__SCALARS__INIT;
    scalars.step = step;
    scalars.epoch = epoch;
    scalars.split = (Infoplane__V1__Split)split;
    scalars.n_values = count;
    scalars.values = pointers;
    Infoplane__V1__ClientMessage m = INFOPLANE__V1__CLIENT_MESSAGE__INIT;
    m.kind_case = INFOPLANE__V1__CLIENT_MESSAGE__KIND_SCALARS;
    m.scalars = &scalars;
    char description[96];
    snprintf(description, sizeof description, "scalars at step %lld", (long long)step);
    infoplane_status s = session_send_counted(c, &m, description);
    free(entries);
    free(pointers);
    return s;
}

infoplane_status infoplane_client_heartbeat(infoplane_client *c) {
    if (!c) return INFOPLANE_ERR_INVALID_ARGUMENT;
    client_clear_error(c);
    infoplane_status s = session_prepare_send(c, false);
    if (s != INFOPLANE_OK) return s;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    Infoplane__V1__Heartbeat heartbeat = INFOPLANE__V1__HEARTBEAT__INIT;
    heartbeat.client_time_unix_nanos = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    Infoplane__V1__ClientMessage m = INFOPLANE__V1__CLIENT_MESSAGE__INIT;
    m.sequence = c->last_sequence + 1;
    m.kind_case = INFOPLANE__V1__CLIENT_MESSAGE__KIND_HEARTBEAT;
    m.heartbeat = &heartbeat;
    s = transport_write_message(c, &m);
    if (s != INFOPLANE_OK) return explain_write_failure(c, s);
    c->last_sequence = m.sequence;
    return INFOPLANE_OK;
}

/* Reports (once) the refusals seen since the previous flush. */
static infoplane_status take_refusals(infoplane_client *c) {
    if (!c->refused_since_flush) return INFOPLANE_OK;
    c->refused_since_flush = false;
    return client_fail(c, INFOPLANE_ERR_REFUSED, "%s", c->first_refusal);
}

infoplane_status infoplane_client_flush(infoplane_client *c) {
    if (!c) return INFOPLANE_ERR_INVALID_ARGUMENT;
    client_clear_error(c);
    infoplane_status s = session_prepare_send(c, false);
    while (s == INFOPLANE_OK && c->pending_count > 0) s = answers_wait_one(c);
    return s != INFOPLANE_OK ? s : take_refusals(c);
}

infoplane_status infoplane_client_goodbye(infoplane_client *c, const char *reason) {
    if (!c) return INFOPLANE_ERR_INVALID_ARGUMENT;
    client_clear_error(c);
    infoplane_status s = session_prepare_send(c, false);
    if (s != INFOPLANE_OK) return s;
    Infoplane__V1__Goodbye goodbye = INFOPLANE__V1__GOODBYE__INIT;
    goodbye.reason = (char *)(reason ? reason : "");
    Infoplane__V1__ClientMessage m = INFOPLANE__V1__CLIENT_MESSAGE__INIT;
    m.sequence = c->last_sequence + 1;
    m.kind_case = INFOPLANE__V1__CLIENT_MESSAGE__KIND_GOODBYE;
    m.goodbye = &goodbye;
    s = transport_write_message(c, &m);
    if (s != INFOPLANE_OK) return explain_write_failure(c, s);
    c->last_sequence = m.sequence;
    c->goodbye_sequence = m.sequence;
    c->goodbye_answered = false;
    while (!c->goodbye_answered) {
        s = answers_wait_one(c);
        if (s == INFOPLANE_ERR_CLOSED && c->pending_count == 0) break; /* closed right after Goodbye */
        if (s != INFOPLANE_OK) return s;
    }
    transport_close(c);
    c->state = CLIENT_DISCONNECTED;
    return take_refusals(c);
}
