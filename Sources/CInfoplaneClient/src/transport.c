/*
 * Socket transport: address parsing, connect with timeout, length-prefixed framing
 * (unsigned LEB128 varint length + serialized message), reads and writes bounded by the
 * client's timeout. The socket is non-blocking; waits use poll(2).
 */
#define _GNU_SOURCE
#include "client_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Refuse absurd length prefixes from the server (its messages are small). */
#define MAX_SERVER_MESSAGE_BYTES (16u << 20)

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Milliseconds left before `deadline` for poll(2); -1 (forever) when deadline < 0. */
static int remaining_ms(int64_t deadline) {
    if (deadline < 0) return -1;
    int64_t left = deadline - now_ms();
    if (left <= 0) return 0;
    return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

static int64_t deadline_after(uint32_t timeout_ms) {
    return timeout_ms == 0 ? -1 : now_ms() + timeout_ms;
}

/* Waits for `events` on the socket. Returns 1 ready, 0 timed out, -1 error (errno). */
static int wait_for(int fd, short events, int64_t deadline) {
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, remaining_ms(deadline));
        if (r < 0 && errno == EINTR) continue;
        return r < 0 ? -1 : (r > 0 ? 1 : 0);
    }
}

/* Connects a non-blocking socket, waiting up to the deadline. Returns 0 or an errno. */
static int connect_with_deadline(int fd, const struct sockaddr *addr, socklen_t len, int64_t deadline) {
    if (connect(fd, addr, len) == 0) return 0;
    if (errno != EINPROGRESS && errno != EAGAIN) return errno;
    int ready = wait_for(fd, POLLOUT, deadline);
    if (ready < 0) return errno;
    if (ready == 0) return ETIMEDOUT;
    int err = 0;
    socklen_t err_len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0) return errno;
    return err;
}

static infoplane_status connect_unix(infoplane_client *c, const char *path) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (path[0] == '\0' || strlen(path) >= sizeof addr.sun_path)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT,
                           "Unix socket path \"%s\" is empty or longer than %zu bytes; use a shorter path",
                           path, sizeof addr.sun_path - 1);
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return client_fail(c, INFOPLANE_ERR_CONNECT, "cannot create a Unix socket: %s", strerror(errno));
    int err = connect_with_deadline(fd, (struct sockaddr *)&addr, sizeof addr, deadline_after(c->timeout_ms));
    if (err != 0) {
        close(fd);
        return client_fail(c, INFOPLANE_ERR_CONNECT,
                           "cannot connect to the Infoplane daemon at Unix socket %s: %s; "
                           "is infoplaned running and listening there (infoplaned --socket %s), "
                           "and may this user open the socket?",
                           path, strerror(err), path);
    }
    c->fd = fd;
    return INFOPLANE_OK;
}

static infoplane_status connect_tcp(infoplane_client *c, const char *host, const char *port,
                                    const char *address) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(host, port, &hints, &list);
    if (gai != 0)
        return client_fail(c, INFOPLANE_ERR_CONNECT, "cannot resolve %s: %s; check the host name",
                           address, gai_strerror(gai));
    int err = 0;
    int64_t deadline = deadline_after(c->timeout_ms);
    for (struct addrinfo *a = list; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) { err = errno; continue; }
        err = connect_with_deadline(fd, a->ai_addr, a->ai_addrlen, deadline);
        if (err == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            c->fd = fd;
            freeaddrinfo(list);
            return INFOPLANE_OK;
        }
        close(fd);
    }
    freeaddrinfo(list);
    return client_fail(c, INFOPLANE_ERR_CONNECT,
                       "cannot connect to the Infoplane daemon at TCP %s: %s; is infoplaned running "
                       "with a TCP listener on that address (default 127.0.0.1:7411)?",
                       address, strerror(err ? err : ECONNREFUSED));
}

infoplane_status transport_connect(infoplane_client *c, const char *address) {
    if (strncmp(address, "unix:", 5) == 0) return connect_unix(c, address + 5);
    const char *spec = strncmp(address, "tcp://", 6) == 0 ? address + 6 : address;
    const char *colon = strrchr(spec, ':');
    bool is_tcp = spec != address || (strchr(address, '/') == NULL && colon != NULL);
    if (!is_tcp) return connect_unix(c, address);
    if (colon == NULL || colon[1] == '\0' || colon == spec)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT,
                           "address \"%s\" is neither a Unix socket path nor host:port", address);
    for (const char *p = colon + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT,
                               "port in \"%s\" is not a number; write host:port, e.g. 127.0.0.1:7411", address);
    char host[256];
    size_t host_length = (size_t)(colon - spec);
    if (host_length >= 2 && spec[0] == '[' && spec[host_length - 1] == ']') { spec++; host_length -= 2; }
    if (host_length >= sizeof host)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "host name in \"%s\" is too long", address);
    memcpy(host, spec, host_length);
    host[host_length] = '\0';
    return connect_tcp(c, host, colon + 1, address);
}

void transport_close(infoplane_client *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->in_length = 0;
}

static size_t put_varint(uint8_t *out, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) { out[n++] = (uint8_t)(v | 0x80); v >>= 7; }
    out[n++] = (uint8_t)v;
    return n;
}

static bool reserve(uint8_t **buffer, size_t *capacity, size_t needed) {
    if (*capacity >= needed) return true;
    size_t grown = *capacity ? *capacity : 4096;
    while (grown < needed) grown = grown > SIZE_MAX / 2 ? needed : grown * 2;
    uint8_t *b = realloc(*buffer, grown);
    if (!b) return false;
    *buffer = b;
    *capacity = grown;
    return true;
}

infoplane_status transport_encode(infoplane_client *c, const Infoplane__V1__ClientMessage *m,
                                  size_t *frame_length, size_t *body_length) {
    size_t body = infoplane__v1__client_message__get_packed_size(m);
    if (!reserve(&c->out, &c->out_capacity, body + 10))
        return client_fail(c, INFOPLANE_ERR_NO_MEMORY, "cannot allocate %zu bytes to encode a message", body + 10);
    size_t prefix = put_varint(c->out, body);
    size_t packed = infoplane__v1__client_message__pack(m, c->out + prefix);
    if (packed != body)
        return client_fail(c, INFOPLANE_ERR_INVALID_ARGUMENT, "message encoding failed (%zu of %zu bytes)", packed, body);
    *frame_length = prefix + body;
    *body_length = body;
    return INFOPLANE_OK;
}

infoplane_status transport_write_encoded(infoplane_client *c, size_t length) {
    int64_t deadline = deadline_after(c->timeout_ms);
    size_t written = 0;
    while (written < length) {
        ssize_t n = send(c->fd, c->out + written, length - written, MSG_NOSIGNAL);
        if (n > 0) { written += (size_t)n; continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int ready = wait_for(c->fd, POLLOUT, deadline);
            if (ready > 0) continue;
            if (ready == 0)
                return client_fail(c, INFOPLANE_ERR_TIMEOUT,
                                   "the daemon did not read a %zu-byte message within %u ms; it may be overloaded",
                                   length, c->timeout_ms);
        }
        return client_fail(c, INFOPLANE_ERR_IO, "writing to the daemon failed after %zu of %zu bytes: %s",
                           written, length, strerror(errno));
    }
    return INFOPLANE_OK;
}

infoplane_status transport_write_message(infoplane_client *c, const Infoplane__V1__ClientMessage *m) {
    size_t frame = 0, body = 0;
    infoplane_status s = transport_encode(c, m, &frame, &body);
    if (s != INFOPLANE_OK) return s;
    return transport_write_encoded(c, frame);
}

/* Tries to cut one complete frame out of c->in. Returns OK with *message NULL if incomplete. */
static infoplane_status parse_buffered(infoplane_client *c, Infoplane__V1__ServerMessage **message) {
    uint64_t length = 0;
    size_t i = 0;
    for (;; i++) {
        if (i >= c->in_length) return INFOPLANE_OK; /* prefix incomplete */
        if (i >= 10)
            return client_fail(c, INFOPLANE_ERR_PROTOCOL, "the server sent an invalid length prefix; is this an Infoplane daemon?");
        length |= (uint64_t)(c->in[i] & 0x7f) << (7 * i);
        if ((c->in[i] & 0x80) == 0) break;
    }
    size_t prefix = i + 1;
    if (length > MAX_SERVER_MESSAGE_BYTES)
        return client_fail(c, INFOPLANE_ERR_PROTOCOL,
                           "the server announced a %llu-byte message; is this an Infoplane daemon?",
                           (unsigned long long)length);
    if (c->in_length - prefix < length) return INFOPLANE_OK;
    Infoplane__V1__ServerMessage *m = infoplane__v1__server_message__unpack(NULL, (size_t)length, c->in + prefix);
    memmove(c->in, c->in + prefix + length, c->in_length - prefix - (size_t)length);
    c->in_length -= prefix + (size_t)length;
    if (!m)
        return client_fail(c, INFOPLANE_ERR_PROTOCOL, "the server sent a message that is not a valid ServerMessage");
    *message = m;
    return INFOPLANE_OK;
}

infoplane_status transport_read_message(infoplane_client *c, bool wait,
                                        Infoplane__V1__ServerMessage **message) {
    *message = NULL;
    int64_t deadline = wait ? deadline_after(c->timeout_ms) : 0;
    for (;;) {
        infoplane_status s = parse_buffered(c, message);
        if (s != INFOPLANE_OK || *message) return s;
        if (c->fd < 0) return client_fail(c, INFOPLANE_ERR_CLOSED, "not connected to the daemon");
        if (!reserve(&c->in, &c->in_capacity, c->in_length + 4096))
            return client_fail(c, INFOPLANE_ERR_NO_MEMORY, "cannot allocate the receive buffer");
        ssize_t n = recv(c->fd, c->in + c->in_length, c->in_capacity - c->in_length, 0);
        if (n > 0) { c->in_length += (size_t)n; continue; }
        if (n == 0)
            return client_fail(c, INFOPLANE_ERR_CLOSED, "the daemon closed the connection without an answer");
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!wait) return INFOPLANE_OK;
            int ready = wait_for(c->fd, POLLIN, deadline);
            if (ready > 0) continue;
            if (ready == 0)
                return client_fail(c, INFOPLANE_ERR_TIMEOUT,
                                   "no answer from the daemon within %u ms; it may be overloaded or stuck "
                                   "(raise the limit with infoplane_client_set_timeout_ms)", c->timeout_ms);
        }
        return client_fail(c, INFOPLANE_ERR_IO, "reading from the daemon failed: %s", strerror(errno));
    }
}
