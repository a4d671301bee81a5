/*
 * infoplane_client.h — C client for the Infoplane daemon (wire protocol v1).
 *
 * A training program written in C or C++ streams layer activations ("snapshots") and
 * scalar metrics to `infoplaned` through this library. The wire contract is
 * Proto/infoplane/v1/infoplane.proto; this library speaks it with protobuf-c.
 *
 * Typical session
 * ---------------
 *     infoplane_client *c = infoplane_client_new();
 *     if (infoplane_client_connect(c, "/run/infoplane/infoplane.sock") != INFOPLANE_OK ||
 *         infoplane_client_hello(c, "my-run", "my-trainer/1.0", NULL) != INFOPLANE_OK) {
 *         fprintf(stderr, "infoplane: %s\n", infoplane_client_last_error(c));
 *     }
 *     infoplane_snapshot s = INFOPLANE_SNAPSHOT_INIT;
 *     s.step = 100; s.layer = "fc1"; s.rows = n; s.features = 64;
 *     s.dtype = INFOPLANE_DTYPE_F32; s.values = activations; s.sample_ids = ids;
 *     infoplane_client_send_snapshot(c, &s);
 *     ...
 *     infoplane_client_goodbye(c, "training finished");
 *     infoplane_client_free(c);
 *
 * Blocking and flow control
 * -------------------------
 * Every function is blocking and returns when its work is done or has failed. The server
 * grants "send credits" (in Welcome, then one per Ack); each Snapshot or Scalars message
 * spends one. Sends are pipelined: a send function returns once the message is written to
 * the socket, without waiting for its Ack, unless no credit is left, in which case it
 * first waits for Acks (at most the configured timeout, 30 s by default). Heartbeat and
 * Goodbye cost no credit.
 *
 * Because sends are pipelined, the server's verdict on a message may arrive during a
 * later call. A non-fatal refusal (an Error with fatal == false, e.g. a shape mismatch)
 * does not fail the later call: it is counted (infoplane_client_refused_count), passed to
 * the refusal handler if one is set, and reported by the next infoplane_client_flush()
 * or infoplane_client_goodbye(), which wait for every outstanding answer. A fatal Error
 * ends the session: the call that sees it returns INFOPLANE_ERR_SERVER_FATAL and every
 * later call returns INFOPLANE_ERR_STATE until the client connects again.
 *
 * Errors and ownership
 * --------------------
 * Every function returns an infoplane_status. On failure, infoplane_client_last_error()
 * returns a sentence describing what went wrong and what to do; for server Errors it
 * includes the server's error code name and sentence. The returned string is owned by
 * the client and valid until the next call on the same client.
 * The client never keeps pointers to caller buffers after a call returns: strings,
 * values, sample ids and metadata are read (or copied) during the call.
 *
 * Threads
 * -------
 * There is no global state: distinct clients may be used from distinct threads. One
 * client must not be used by two threads at the same time.
 *
 * Values are taken in host byte order and sent little-endian as the protocol requires.
 * SIGPIPE is never raised (writes use MSG_NOSIGNAL).
 */
#ifndef INFOPLANE_CLIENT_H
#define INFOPLANE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The wire protocol version this library speaks (Hello.protocol_version). */
#define INFOPLANE_PROTOCOL_VERSION 1u

/** Result of every call. */
typedef enum infoplane_status {
    /** Success. */
    INFOPLANE_OK = 0,
    /** An argument is invalid (NULL pointer, zero rows, empty layer name, unknown enum
     *  value...). Nothing was sent. */
    INFOPLANE_ERR_INVALID_ARGUMENT = 1,
    /** Memory allocation failed. Nothing was sent. */
    INFOPLANE_ERR_NO_MEMORY = 2,
    /** The call is not valid now: e.g. a send before hello, hello twice, connect while
     *  connected, or any call after the session ended. */
    INFOPLANE_ERR_STATE = 3,
    /** The address could not be resolved or connected to (daemon not running, wrong
     *  path, permission denied...). */
    INFOPLANE_ERR_CONNECT = 4,
    /** Reading or writing the socket failed; the connection is closed. */
    INFOPLANE_ERR_IO = 5,
    /** No answer from the server within the timeout (see infoplane_client_set_timeout_ms).
     *  The connection is closed. */
    INFOPLANE_ERR_TIMEOUT = 6,
    /** The server closed the connection without saying why. */
    INFOPLANE_ERR_CLOSED = 7,
    /** The server sent bytes that are not a valid ServerMessage, or an unexpected one
     *  (e.g. an Ack for a message never sent). The connection is closed. */
    INFOPLANE_ERR_PROTOCOL = 8,
    /** The message would exceed the server's max_message_bytes (from Welcome). Nothing was
     *  sent; send fewer rows per chunk (see infoplane_client_send_layer). */
    INFOPLANE_ERR_TOO_LARGE = 9,
    /** The server refused one or more messages with a non-fatal Error. The session
     *  continues. Returned by infoplane_client_flush and infoplane_client_goodbye, and by
     *  infoplane_client_hello for a non-fatal refusal (then hello may be retried). */
    INFOPLANE_ERR_REFUSED = 10,
    /** The server answered with a fatal Error (protocol version mismatch, message too
     *  large, idle timeout, shutting down...) and closed the session. */
    INFOPLANE_ERR_SERVER_FATAL = 11
} infoplane_status;

/** Element type of a tensor on the wire (values match the protocol's DType). */
typedef enum infoplane_dtype {
    INFOPLANE_DTYPE_F32 = 1,  /**< float */
    INFOPLANE_DTYPE_F16 = 2,  /**< IEEE binary16 bit patterns in uint16_t */
    INFOPLANE_DTYPE_BF16 = 3, /**< bfloat16 bit patterns (upper half of a float) in uint16_t */
    INFOPLANE_DTYPE_F64 = 4,  /**< double */
    INFOPLANE_DTYPE_I32 = 5,  /**< int32_t (labels) */
    INFOPLANE_DTYPE_I64 = 6   /**< int64_t (labels) */
} infoplane_dtype;

/** Which part of the data a snapshot or scalar was evaluated on (protocol's Split). */
typedef enum infoplane_split {
    INFOPLANE_SPLIT_TRAIN = 1,
    INFOPLANE_SPLIT_VALIDATION = 2,
    INFOPLANE_SPLIT_PROBE = 3
} infoplane_split;

/** What a snapshot's values are (protocol's Role). */
typedef enum infoplane_role {
    INFOPLANE_ROLE_INPUT = 1,  /**< the network's inputs X */
    INFOPLANE_ROLE_HIDDEN = 2, /**< a hidden layer's activations T */
    INFOPLANE_ROLE_OUTPUT = 3, /**< the output layer's activations */
    INFOPLANE_ROLE_LABEL = 4   /**< class labels Y (integer dtype) */
} infoplane_role;

/** The server's error codes (protocol's ErrorCode), as reported by
 *  infoplane_client_last_server_error_code(). 0 means "no server error". */
typedef enum infoplane_server_error {
    INFOPLANE_SERVER_ERROR_NONE = 0,
    INFOPLANE_SERVER_ERROR_PROTOCOL_VERSION_MISMATCH = 1,
    INFOPLANE_SERVER_ERROR_HELLO_REQUIRED = 2,
    INFOPLANE_SERVER_ERROR_DUPLICATE_HELLO = 3,
    INFOPLANE_SERVER_ERROR_MALFORMED_MESSAGE = 4,
    INFOPLANE_SERVER_ERROR_UNKNOWN_MESSAGE_KIND = 5,
    INFOPLANE_SERVER_ERROR_MESSAGE_TOO_LARGE = 6,
    INFOPLANE_SERVER_ERROR_BAD_FRAMING = 7,
    INFOPLANE_SERVER_ERROR_CREDITS_EXCEEDED = 8,
    INFOPLANE_SERVER_ERROR_SHAPE_MISMATCH = 9,
    INFOPLANE_SERVER_ERROR_SAMPLE_IDS_MISMATCH = 10,
    INFOPLANE_SERVER_ERROR_NON_FINITE_VALUES = 11,
    INFOPLANE_SERVER_ERROR_BAD_CHUNK = 12,
    INFOPLANE_SERVER_ERROR_NEGATIVE_STEP = 13,
    INFOPLANE_SERVER_ERROR_UNSUPPORTED_DTYPE = 14,
    INFOPLANE_SERVER_ERROR_UNKNOWN_RUN = 15,
    INFOPLANE_SERVER_ERROR_INVALID_ARGUMENT = 16,
    INFOPLANE_SERVER_ERROR_FRAME_MISALIGNED = 17,
    INFOPLANE_SERVER_ERROR_IDLE_TIMEOUT = 18,
    INFOPLANE_SERVER_ERROR_SHUTTING_DOWN = 19,
    INFOPLANE_SERVER_ERROR_INTERNAL = 20,
    INFOPLANE_SERVER_ERROR_MEMORY_BUDGET_EXCEEDED = 21,
    INFOPLANE_SERVER_ERROR_TOO_MANY_LAYERS = 22,
    INFOPLANE_SERVER_ERROR_TOO_MANY_CONNECTIONS = 23,
    INFOPLANE_SERVER_ERROR_METADATA_TOO_LARGE = 24,
    INFOPLANE_SERVER_ERROR_SENDER_TOO_SLOW = 25,
    INFOPLANE_SERVER_ERROR_STORE_FULL = 26,
    INFOPLANE_SERVER_ERROR_STORE_UNAVAILABLE = 27
} infoplane_server_error;

/** Opaque client: one connection, one session. Create with infoplane_client_new(),
 *  release with infoplane_client_free(). */
typedef struct infoplane_client infoplane_client;

/**
 * One snapshot: the values of one layer for `rows` probe samples at one training step.
 * Initialise with INFOPLANE_SNAPSHOT_INIT, then set at least layer, rows, features,
 * dtype, values and sample_ids. Nothing is copied beyond the call.
 */
typedef struct infoplane_snapshot {
    /** Training step (optimizer updates so far), >= 0. */
    int64_t step;
    /** Training epoch, informative (-1 if unknown). */
    int64_t epoch;
    infoplane_split split;
    /** Layer name, non-empty, at most 256 bytes, NUL-terminated. */
    const char *layer;
    infoplane_role role;
    /** Number of rows (samples). Must be >= 1. */
    uint32_t rows;
    /** Values per row (the flattened feature count). 0 means a label vector of shape
     *  [rows] (only for integer dtypes); otherwise the shape sent is [rows, features]. */
    uint32_t features;
    infoplane_dtype dtype;
    /** rows × features (or rows) elements of `dtype`, row-major, host byte order:
     *  float* for F32, uint16_t* for F16/BF16, double* for F64, int32_t* for I32,
     *  int64_t* for I64. */
    const void *values;
    /** One id per row, unique within the frame (the step's set of layers). */
    const int64_t *sample_ids;
    /** This chunk's position and the number of chunks of this layer in this frame.
     *  chunk_count 0 is sent as 1. */
    uint32_t chunk_index;
    uint32_t chunk_count;
    /** Number of distinct layers (inputs and labels included) in this frame; 0: unknown. */
    uint32_t frame_layer_count;
} infoplane_snapshot;

/** Defaults: step 0, epoch -1, split PROBE, role HIDDEN, dtype F32, one chunk. */
#define INFOPLANE_SNAPSHOT_INIT                                                          \
    { 0, -1, INFOPLANE_SPLIT_PROBE, NULL, INFOPLANE_ROLE_HIDDEN, 0, 0, INFOPLANE_DTYPE_F32, \
      NULL, NULL, 0, 1, 0 }

/** Called for every non-fatal Error the server sends, during whichever call reads it.
 *  `sequence` is the refused message's sequence number, `code` the server's error code,
 *  `message` its sentence (valid only during the callback). */
typedef void (*infoplane_refusal_handler)(void *user_data, uint64_t sequence,
                                          infoplane_server_error code, const char *message);

/* ---------------------------------------------------------------------------------- */
/* Lifecycle                                                                            */
/* ---------------------------------------------------------------------------------- */

/** Allocates a client (not connected). Returns NULL only when memory is exhausted. */
infoplane_client *infoplane_client_new(void);

/** Closes the connection (without Goodbye) if open and releases the client and every
 *  string it returned. NULL is allowed. */
void infoplane_client_free(infoplane_client *client);

/**
 * Connects to the daemon. `address` is either a Unix socket path ("/run/infoplane/
 * infoplane.sock", optionally prefixed "unix:") or a TCP "host:port" ("127.0.0.1:7411",
 * "[::1]:7411", optionally prefixed "tcp://"). A string containing '/' is a path.
 * Returns INFOPLANE_ERR_CONNECT with the address and the system's reason when the daemon
 * cannot be reached, INFOPLANE_ERR_STATE when already connected.
 */
infoplane_status infoplane_client_connect(infoplane_client *client, const char *address);

/** Closes the connection without Goodbye (the server sees a disconnect). The client can
 *  connect again afterwards. Counters are kept. Always succeeds; NULL is allowed. */
void infoplane_client_close(infoplane_client *client);

/* ---------------------------------------------------------------------------------- */
/* Settings (before connect/hello)                                                      */
/* ---------------------------------------------------------------------------------- */

/** How long any call may wait for the server (connect, Welcome, Acks). Default 30000 ms.
 *  0 means wait forever. */
infoplane_status infoplane_client_set_timeout_ms(infoplane_client *client, uint32_t timeout_ms);

/** Adds (or replaces) one run-metadata entry sent with the next Hello. Both strings are
 *  copied. */
infoplane_status infoplane_client_set_metadata(infoplane_client *client, const char *key,
                                               const char *value);

/** Sets the refusal handler (NULL to remove). */
void infoplane_client_set_refusal_handler(infoplane_client *client,
                                          infoplane_refusal_handler handler, void *user_data);

/** Overrides the protocol version sent in Hello (default INFOPLANE_PROTOCOL_VERSION).
 *  For tests of the server's version check only. */
void infoplane_client_set_protocol_version(infoplane_client *client, uint32_t version);

/** When `enabled` is 0, messages larger than the server's max_message_bytes are sent
 *  anyway instead of failing with INFOPLANE_ERR_TOO_LARGE (the server then refuses them
 *  with a fatal MESSAGE_TOO_LARGE Error). Default 1. For tests of the server only. */
void infoplane_client_set_size_check(infoplane_client *client, int enabled);

/* ---------------------------------------------------------------------------------- */
/* Session                                                                              */
/* ---------------------------------------------------------------------------------- */

/**
 * Sends Hello and waits for Welcome. `run_name` is required (non-empty, at most 128
 * bytes); `client_name` may be NULL ("infoplane-c/<version>"). On success stores the
 * granted credits in `*credits` (when not NULL). A fatal refusal (e.g. protocol version
 * mismatch) returns INFOPLANE_ERR_SERVER_FATAL with the server's sentence; a non-fatal
 * one INFOPLANE_ERR_REFUSED (the connection stays open for another hello).
 */
infoplane_status infoplane_client_hello(infoplane_client *client, const char *run_name,
                                        const char *client_name, uint32_t *credits);

/**
 * Sends one Snapshot message (one chunk) as described by `snapshot`. Waits for a credit
 * if none is left. Fails with INFOPLANE_ERR_TOO_LARGE when the encoded message exceeds
 * the server's limit (use infoplane_client_send_layer to chunk automatically).
 */
infoplane_status infoplane_client_send_snapshot(infoplane_client *client,
                                                const infoplane_snapshot *snapshot);

/**
 * Sends a whole layer split by rows into chunks of at most `rows_per_chunk` rows
 * (0: as many rows as fit in the server's max_message_bytes). `snapshot->chunk_index`
 * and `chunk_count` are ignored and set by the function. Stops at the first failure.
 */
infoplane_status infoplane_client_send_layer(infoplane_client *client,
                                             const infoplane_snapshot *snapshot,
                                             uint32_t rows_per_chunk);

/**
 * Sends class labels for `rows` samples: a Snapshot with role LABEL, dtype I64 and shape
 * [rows] (layer name e.g. "labels"), chunked like infoplane_client_send_layer(..., 0).
 */
infoplane_status infoplane_client_send_labels(infoplane_client *client, int64_t step,
                                              int64_t epoch, infoplane_split split,
                                              const char *layer, const int64_t *sample_ids,
                                              const int64_t *labels, uint32_t rows,
                                              uint32_t frame_layer_count);

/**
 * Sends scalar metrics at one step: `count` pairs names[i] -> values[i] (finite). Names
 * must be distinct and non-empty.
 */
infoplane_status infoplane_client_send_scalars(infoplane_client *client, int64_t step,
                                               int64_t epoch, infoplane_split split,
                                               const char *const *names, const double *values,
                                               size_t count);

/** Sends a Heartbeat (no credit spent, no answer awaited). Call it when nothing else was
 *  sent for heartbeat_interval_ms (see infoplane_client_heartbeat_interval_ms). */
infoplane_status infoplane_client_heartbeat(infoplane_client *client);

/**
 * Waits until every message sent so far is answered. Returns INFOPLANE_ERR_REFUSED if the
 * server refused any message since the previous flush (last_error holds the first
 * refusal), otherwise INFOPLANE_OK.
 */
infoplane_status infoplane_client_flush(infoplane_client *client);

/**
 * Ends the session: sends Goodbye, waits for the answers to every message and for the
 * final Ack, then closes the connection. Returns INFOPLANE_ERR_REFUSED if some message
 * was refused since the last flush (the session still ended cleanly). `reason` may be NULL.
 */
infoplane_status infoplane_client_goodbye(infoplane_client *client, const char *reason);

/* ---------------------------------------------------------------------------------- */
/* Inspection                                                                           */
/* ---------------------------------------------------------------------------------- */

/** The sentence describing the last failure (empty string if none). Owned by the client,
 *  valid until the next call on it. Never NULL for a non-NULL client. */
const char *infoplane_client_last_error(const infoplane_client *client);

/** The code of the last Error the server sent (INFOPLANE_SERVER_ERROR_NONE if none). */
infoplane_server_error infoplane_client_last_server_error_code(const infoplane_client *client);

/** Static name of a status code, e.g. "INFOPLANE_ERR_CONNECT". */
const char *infoplane_status_name(infoplane_status status);

/** Static name of a server error code, e.g. "MESSAGE_TOO_LARGE". */
const char *infoplane_server_error_name(infoplane_server_error code);

/* ---------------------------------------------------------------------------------- */
/* Half-precision helpers                                                               */
/* ---------------------------------------------------------------------------------- */

/** IEEE binary16 bit pattern of `value`, rounded to nearest even (overflow gives
 *  infinity, NaN stays NaN). For filling F16 snapshot buffers. */
uint16_t infoplane_float_to_f16(float value);
/** bfloat16 bit pattern of `value` (upper half of the binary32, rounded to nearest even). */
uint16_t infoplane_float_to_bf16(float value);
/** The float a binary16 bit pattern denotes (exact). */
float infoplane_f16_to_float(uint16_t bits);
/** The float a bfloat16 bit pattern denotes (exact). */
float infoplane_bf16_to_float(uint16_t bits);

/** Credits currently available (0 before hello). */
uint32_t infoplane_client_credits(const infoplane_client *client);
/** Welcome.max_message_bytes (0 before hello). */
uint64_t infoplane_client_max_message_bytes(const infoplane_client *client);
/** Welcome.heartbeat_interval_ms (0 before hello). */
uint32_t infoplane_client_heartbeat_interval_ms(const infoplane_client *client);
/** Welcome.session_id (0 before hello). */
uint64_t infoplane_client_session_id(const infoplane_client *client);
/** Welcome.run_id (empty before hello). Owned by the client. */
const char *infoplane_client_run_id(const infoplane_client *client);
/** Snapshot and Scalars messages sent since the client was created (including one whose
 *  write failed because the connection broke). */
uint64_t infoplane_client_sent_count(const infoplane_client *client);
/** Of those, how many the server acknowledged. */
uint64_t infoplane_client_acked_count(const infoplane_client *client);
/** Of those, how many the server refused (non-fatal and fatal Errors). */
uint64_t infoplane_client_refused_count(const infoplane_client *client);
/** Alert messages received from the server (they are otherwise ignored). */
uint64_t infoplane_client_alert_count(const infoplane_client *client);

#ifdef __cplusplus
}
#endif

#endif /* INFOPLANE_CLIENT_H */
