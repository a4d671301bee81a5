/*
 * What the server sends once the session is established: Acks and Errors answering
 * earlier messages (in order), and Alerts. Keeps the credit count and the list of
 * messages still waiting for their answer.
 */
#include "client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void answers_end_session(infoplane_client *c) {
    transport_close(c);
    c->state = CLIENT_ENDED;
    c->credits = 0; /* pending messages stay listed (unanswered) until the next connect */
}

infoplane_status answers_push_pending(infoplane_client *c, uint64_t sequence, const char *description) {
    if (c->pending_count == c->pending_capacity) {
        size_t grown = c->pending_capacity ? c->pending_capacity * 2 : 32;
        pending_message *p = realloc(c->pending, grown * sizeof *p);
        if (!p) return client_fail(c, INFOPLANE_ERR_NO_MEMORY, "cannot allocate the in-flight message list");
        c->pending = p;
        c->pending_capacity = grown;
    }
    pending_message *m = &c->pending[c->pending_count++];
    m->sequence = sequence;
    snprintf(m->description, sizeof m->description, "%s", description);
    return INFOPLANE_OK;
}

/* Removes the in-flight message with this sequence; copies its description. */
static bool take_pending(infoplane_client *c, uint64_t sequence, char *description, size_t size) {
    for (size_t i = 0; i < c->pending_count; i++) {
        if (c->pending[i].sequence != sequence) continue;
        if (description) snprintf(description, size, "%s", c->pending[i].description);
        memmove(&c->pending[i], &c->pending[i + 1], (c->pending_count - i - 1) * sizeof *c->pending);
        c->pending_count--;
        return true;
    }
    return false;
}

static void add_credits(infoplane_client *c, uint32_t granted) {
    uint64_t total = (uint64_t)c->credits + granted;
    c->credits = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
}

static infoplane_status handle_ack(infoplane_client *c, const Infoplane__V1__Ack *ack) {
    if (ack->sequence == 0 || ack->sequence > c->last_sequence) {
        answers_end_session(c);
        return client_fail(c, INFOPLANE_ERR_PROTOCOL,
                           "the daemon acknowledged message %llu, which was never sent; closing the session",
                           (unsigned long long)ack->sequence);
    }
    if (take_pending(c, ack->sequence, NULL, 0)) c->acked++;
    if (ack->sequence == c->goodbye_sequence) c->goodbye_answered = true;
    add_credits(c, ack->credits);
    return INFOPLANE_OK;
}

static infoplane_status handle_error(infoplane_client *c, const Infoplane__V1__Error *e) {
    char what[128] = "";
    char description[96] = "";
    if (take_pending(c, e->sequence, description, sizeof description)) {
        c->refused++;
        snprintf(what, sizeof what, "message %llu (%s)", (unsigned long long)e->sequence, description);
    } else if (e->sequence != 0) {
        snprintf(what, sizeof what, "message %llu", (unsigned long long)e->sequence);
    } else {
        snprintf(what, sizeof what, "the stream");
    }
    if (e->sequence != 0 && e->sequence == c->goodbye_sequence) c->goodbye_answered = true;
    infoplane_server_error code = (infoplane_server_error)e->code;
    c->last_server_code = code;
    add_credits(c, e->credits);
    const char *sentence = e->message ? e->message : "";
    if (e->fatal) {
        answers_end_session(c);
        return client_fail(c, INFOPLANE_ERR_SERVER_FATAL,
                           "the daemon refused %s with %s (fatal, session closed): %s",
                           what, infoplane_server_error_name(code), sentence);
    }
    if (c->refusal_handler) c->refusal_handler(c->refusal_user_data, e->sequence, code, sentence);
    if (!c->refused_since_flush) {
        c->refused_since_flush = true;
        snprintf(c->first_refusal, sizeof c->first_refusal, "the daemon refused %s with %s: %s",
                 what, infoplane_server_error_name(code), sentence);
    }
    return INFOPLANE_OK;
}

infoplane_status answers_handle(infoplane_client *c, const Infoplane__V1__ServerMessage *m) {
    switch (m->kind_case) {
    case INFOPLANE__V1__SERVER_MESSAGE__KIND_ACK:
        return handle_ack(c, m->ack);
    case INFOPLANE__V1__SERVER_MESSAGE__KIND_ERROR:
        return handle_error(c, m->error);
    case INFOPLANE__V1__SERVER_MESSAGE__KIND_ALERT:
        c->alerts++;
        return INFOPLANE_OK;
    case INFOPLANE__V1__SERVER_MESSAGE__KIND_WELCOME:
        answers_end_session(c);
        return client_fail(c, INFOPLANE_ERR_PROTOCOL, "the daemon sent a second Welcome; closing the session");
    default:
        return INFOPLANE_OK; /* a kind this client does not know: ignored */
    }
}

/* Reads one message and handles it; a lost connection ends the session. */
static infoplane_status read_and_handle(infoplane_client *c, bool wait, bool *got) {
    Infoplane__V1__ServerMessage *m = NULL;
    infoplane_status s = transport_read_message(c, wait, &m);
    *got = m != NULL;
    if (s != INFOPLANE_OK) {
        answers_end_session(c);
        return s;
    }
    if (!m) return INFOPLANE_OK;
    s = answers_handle(c, m);
    infoplane__v1__server_message__free_unpacked(m, NULL);
    return s;
}

infoplane_status answers_drain(infoplane_client *c) {
    for (;;) {
        bool got = false;
        infoplane_status s = read_and_handle(c, false, &got);
        if (s != INFOPLANE_OK || !got) return s;
    }
}

infoplane_status answers_wait_one(infoplane_client *c) {
    bool got = false;
    return read_and_handle(c, true, &got);
}
