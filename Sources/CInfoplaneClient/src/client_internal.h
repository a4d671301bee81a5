/*
 * Private definitions shared by the C client's source files. Not installed.
 */
#ifndef INFOPLANE_CLIENT_INTERNAL_H
#define INFOPLANE_CLIENT_INTERNAL_H

#include "infoplane_client.h"
#include "infoplane/v1/infoplane.pb-c.h"

#include <stdarg.h>
#include <stdbool.h>

#define INFOPLANE_CLIENT_NAME "infoplane-c/0.1"

/** Where the client is in its life. */
typedef enum client_state {
    CLIENT_DISCONNECTED = 0, /* no socket */
    CLIENT_CONNECTED,        /* socket open, Hello not yet answered by Welcome */
    CLIENT_SESSION,          /* Welcome received: data may be sent */
    CLIENT_ENDED             /* the server ended the session (fatal Error); connect again */
} client_state;

/** A credit-spending message written but not yet answered. Answers come in order. */
typedef struct pending_message {
    uint64_t sequence;
    char description[96]; /* e.g. "snapshot of layer \"fc1\" at step 10 (chunk 1/4)" */
} pending_message;

struct infoplane_client {
    int fd;
    client_state state;

    /* settings */
    uint32_t timeout_ms;
    uint32_t protocol_version;
    bool size_check;
    char **metadata_keys;
    char **metadata_values;
    size_t metadata_count;
    infoplane_refusal_handler refusal_handler;
    void *refusal_user_data;

    /* from Welcome */
    uint32_t credits;
    uint64_t max_message_bytes;
    uint32_t heartbeat_interval_ms;
    uint64_t session_id;
    char *run_id;

    /* sequencing */
    uint64_t last_sequence;  /* sequence of the last message written (0: none) */
    pending_message *pending; /* in sending order */
    size_t pending_count, pending_capacity;
    uint64_t goodbye_sequence; /* 0: no Goodbye sent */
    bool goodbye_answered;

    /* counters */
    uint64_t sent, acked, refused, alerts;
    infoplane_server_error last_server_code;
    bool refused_since_flush;
    char first_refusal[1024];

    /* buffers */
    uint8_t *out;
    size_t out_capacity;
    uint8_t *in;
    size_t in_length, in_capacity;

    char error[1024];
};

/* errors.c */
infoplane_status client_fail(infoplane_client *c, infoplane_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void client_clear_error(infoplane_client *c);

/* transport.c: socket and framing. Every function returns a status and sets last_error. */
infoplane_status transport_connect(infoplane_client *c, const char *address);
void transport_close(infoplane_client *c);
/** Writes one length-prefixed ClientMessage. */
infoplane_status transport_write_message(infoplane_client *c, const Infoplane__V1__ClientMessage *m);
/** Encodes one length-prefixed ClientMessage into c->out; stores the frame length. */
infoplane_status transport_encode(infoplane_client *c, const Infoplane__V1__ClientMessage *m,
                                  size_t *frame_length, size_t *body_length);
/** Writes c->out[0..length). */
infoplane_status transport_write_encoded(infoplane_client *c, size_t length);
/**
 * Reads one ServerMessage. `wait` false: returns INFOPLANE_OK with *message NULL when no
 * complete message is available now. `wait` true: waits up to the client's timeout.
 * The caller frees *message with infoplane__v1__server_message__free_unpacked.
 */
infoplane_status transport_read_message(infoplane_client *c, bool wait,
                                        Infoplane__V1__ServerMessage **message);

/* answers.c: handling what the server sends after Welcome. */
/** Processes one Ack/Error/Alert. Returns INFOPLANE_OK, _SERVER_FATAL or _PROTOCOL. */
infoplane_status answers_handle(infoplane_client *c, const Infoplane__V1__ServerMessage *m);
/** Handles every answer already received, without waiting. */
infoplane_status answers_drain(infoplane_client *c);
/** Reads and handles one answer, waiting for it. */
infoplane_status answers_wait_one(infoplane_client *c);
/** Records a credit-spending message just written. */
infoplane_status answers_push_pending(infoplane_client *c, uint64_t sequence, const char *description);
/** The session ended (fatal Error or lost connection): closes the socket. */
void answers_end_session(infoplane_client *c);

/* session.c */
/** Common preamble of every send: session state, drain, credit wait (if spends_credit). */
infoplane_status session_prepare_send(infoplane_client *c, bool spends_credit);
/** Encodes, checks the size limit, waits for a credit and writes one credit-spending message. */
infoplane_status session_send_counted(infoplane_client *c, Infoplane__V1__ClientMessage *m,
                                      const char *description);

#endif
