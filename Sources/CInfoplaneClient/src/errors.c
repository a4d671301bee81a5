/*
 * Status and server-error names, and the client's last-error sentence.
 */
#include "client_internal.h"

#include <stdio.h>

infoplane_status client_fail(infoplane_client *c, infoplane_status status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(c->error, sizeof c->error, format, args);
    va_end(args);
    return status;
}

void client_clear_error(infoplane_client *c) { c->error[0] = '\0'; }

const char *infoplane_client_last_error(const infoplane_client *client) {
    return client ? client->error : "no client (NULL)";
}

infoplane_server_error infoplane_client_last_server_error_code(const infoplane_client *client) {
    return client ? client->last_server_code : INFOPLANE_SERVER_ERROR_NONE;
}

const char *infoplane_status_name(infoplane_status status) {
    switch (status) {
    case INFOPLANE_OK: return "INFOPLANE_OK";
    case INFOPLANE_ERR_INVALID_ARGUMENT: return "INFOPLANE_ERR_INVALID_ARGUMENT";
    case INFOPLANE_ERR_NO_MEMORY: return "INFOPLANE_ERR_NO_MEMORY";
    case INFOPLANE_ERR_STATE: return "INFOPLANE_ERR_STATE";
    case INFOPLANE_ERR_CONNECT: return "INFOPLANE_ERR_CONNECT";
    case INFOPLANE_ERR_IO: return "INFOPLANE_ERR_IO";
    case INFOPLANE_ERR_TIMEOUT: return "INFOPLANE_ERR_TIMEOUT";
    case INFOPLANE_ERR_CLOSED: return "INFOPLANE_ERR_CLOSED";
    case INFOPLANE_ERR_PROTOCOL: return "INFOPLANE_ERR_PROTOCOL";
    case INFOPLANE_ERR_TOO_LARGE: return "INFOPLANE_ERR_TOO_LARGE";
    case INFOPLANE_ERR_REFUSED: return "INFOPLANE_ERR_REFUSED";
    case INFOPLANE_ERR_SERVER_FATAL: return "INFOPLANE_ERR_SERVER_FATAL";
    }
    return "INFOPLANE_ERR_UNKNOWN";
}

const char *infoplane_server_error_name(infoplane_server_error code) {
    switch (code) {
    case INFOPLANE_SERVER_ERROR_NONE: return "NONE";
    case INFOPLANE_SERVER_ERROR_PROTOCOL_VERSION_MISMATCH: return "PROTOCOL_VERSION_MISMATCH";
    case INFOPLANE_SERVER_ERROR_HELLO_REQUIRED: return "HELLO_REQUIRED";
    case INFOPLANE_SERVER_ERROR_DUPLICATE_HELLO: return "DUPLICATE_HELLO";
    case INFOPLANE_SERVER_ERROR_MALFORMED_MESSAGE: return "MALFORMED_MESSAGE";
    case INFOPLANE_SERVER_ERROR_UNKNOWN_MESSAGE_KIND: return "UNKNOWN_MESSAGE_KIND";
    case INFOPLANE_SERVER_ERROR_MESSAGE_TOO_LARGE: return "MESSAGE_TOO_LARGE";
    case INFOPLANE_SERVER_ERROR_BAD_FRAMING: return "BAD_FRAMING";
    case INFOPLANE_SERVER_ERROR_CREDITS_EXCEEDED: return "CREDITS_EXCEEDED";
    case INFOPLANE_SERVER_ERROR_SHAPE_MISMATCH: return "SHAPE_MISMATCH";
    case INFOPLANE_SERVER_ERROR_SAMPLE_IDS_MISMATCH: return "SAMPLE_IDS_MISMATCH";
    case INFOPLANE_SERVER_ERROR_NON_FINITE_VALUES: return "NON_FINITE_VALUES";
    case INFOPLANE_SERVER_ERROR_BAD_CHUNK: return "BAD_CHUNK";
    case INFOPLANE_SERVER_ERROR_NEGATIVE_STEP: return "NEGATIVE_STEP";
    case INFOPLANE_SERVER_ERROR_UNSUPPORTED_DTYPE: return "UNSUPPORTED_DTYPE";
    case INFOPLANE_SERVER_ERROR_UNKNOWN_RUN: return "UNKNOWN_RUN";
    case INFOPLANE_SERVER_ERROR_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case INFOPLANE_SERVER_ERROR_FRAME_MISALIGNED: return "FRAME_MISALIGNED";
    case INFOPLANE_SERVER_ERROR_IDLE_TIMEOUT: return "IDLE_TIMEOUT";
    case INFOPLANE_SERVER_ERROR_SHUTTING_DOWN: return "SHUTTING_DOWN";
    case INFOPLANE_SERVER_ERROR_INTERNAL: return "INTERNAL";
    case INFOPLANE_SERVER_ERROR_MEMORY_BUDGET_EXCEEDED: return "MEMORY_BUDGET_EXCEEDED";
    case INFOPLANE_SERVER_ERROR_TOO_MANY_LAYERS: return "TOO_MANY_LAYERS";
    case INFOPLANE_SERVER_ERROR_TOO_MANY_CONNECTIONS: return "TOO_MANY_CONNECTIONS";
    case INFOPLANE_SERVER_ERROR_METADATA_TOO_LARGE: return "METADATA_TOO_LARGE";
    case INFOPLANE_SERVER_ERROR_SENDER_TOO_SLOW: return "SENDER_TOO_SLOW";
    case INFOPLANE_SERVER_ERROR_STORE_FULL: return "STORE_FULL";
    case INFOPLANE_SERVER_ERROR_STORE_UNAVAILABLE: return "STORE_UNAVAILABLE";
    }
    return "UNKNOWN_ERROR_CODE";
}
