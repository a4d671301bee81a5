"""One connection to the daemon: the handshake, then batches of data messages written within
the server's credits and the Acks, Errors and Alerts read back, all on the sender thread.

After the handshake the socket is non-blocking: the sender thread reads whatever answers
have arrived when it is awake anyway (before each batch), and waits for the socket only
when it has to (out of credits, flushing, idle). There is no reader thread: under the GIL
every extra thread wake-up is time taken from training."""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from typing import Callable, Dict, List, Optional, Tuple

from ._address import Address
from ._framing import FrameReader, FramingError, encode_varint, send_frame
from ._proto.infoplane.v1 import infoplane_pb2 as pb
from .stats import StatsCounter

PROTOCOL_VERSION = 1

#: Socket send buffer asked for (the kernel may grant less).
SEND_BUFFER_BYTES = 4 << 20

#: Buffers per sendmsg call (Linux allows 1024).
_IOV_MAX = 512

_POLL_IN = select.POLLIN | select.POLLPRI
_POLL_OUT = select.POLLOUT


class HandshakeRefused(Exception):
    """The daemon answered Hello with an Error."""

    def __init__(self, error: pb.Error) -> None:
        self.code = error.code
        self.code_name = pb.ErrorCode.Name(error.code) if error.code in pb.ErrorCode.values() else str(error.code)
        super().__init__(f"the daemon refused the session ({self.code_name}): {error.message}")


def error_code_name(code: int) -> str:
    try:
        return pb.ErrorCode.Name(code)
    except ValueError:
        return f"ERROR_CODE_{code}"


def _parse_ack(payload: bytes) -> Optional[Tuple[int, int]]:
    """(sequence, credits) if `payload` is a ServerMessage holding just an Ack in the
    plain encoding the daemon writes (ack = field 11 with a one-byte length; its fields 1
    and 2 as varints); None for anything else, which protobuf then decodes."""
    if len(payload) < 2 or payload[0] != 0x5A or payload[1] != len(payload) - 2:
        return None
    values = [0, 0, 0]
    position, end = 2, len(payload)
    while position < end:
        key = payload[position]
        if key != 0x08 and key != 0x10:
            return None
        value, shift = 0, 0
        position += 1
        while True:
            if position >= end or shift > 63:
                return None
            byte = payload[position]
            position += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        values[key >> 3] = value
    if values[1] >= 1 << 64 or values[2] >= 1 << 32:
        return None
    return values[1], values[2]


class SessionClosed(Exception):
    """The connection ended (the reason is logged at DEBUG level and in the session)."""


class Session:
    """A connected, welcomed session. Only the sender thread calls its methods; other
    threads only read `alive` and `in_flight`."""

    def __init__(
        self,
        sock: socket.socket,
        frames: FrameReader,
        welcome: pb.Welcome,
        stats: StatsCounter,
        on_error: Callable[[pb.Error], None],
        on_alert: Callable[[pb.Alert], None],
        log: logging.Logger,
    ) -> None:
        self._sock = sock
        self._frames = frames
        self.welcome = welcome
        self._stats = stats
        self._on_error = on_error
        self._on_alert = on_alert
        self._log = log
        self.credits = int(welcome.credits)
        self._pending: Dict[int, None] = {}
        self._sequence = 1  # Hello was 1
        self._alive = True
        self.end_reason: Optional[str] = None
        self._goodbye_sequence: Optional[int] = None
        self._goodbye_answered = False
        self.last_send = time.monotonic()
        self._acked = 0
        self._io_timeout = sock.gettimeout() or 10.0
        sock.setblocking(False)
        self._poll = select.poll()
        self._poll.register(sock.fileno(), _POLL_IN)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        address: Address,
        hello: pb.Hello,
        timeout: float,
        io_timeout: float,
        stats: StatsCounter,
        on_error: Callable[[pb.Error], None],
        on_alert: Callable[[pb.Alert], None],
        log: logging.Logger,
    ) -> "Session":
        """Connects and performs the Hello/Welcome handshake within `timeout` seconds.

        Raises OSError (cannot connect), HandshakeRefused, or FramingError/ConnectionError
        (the daemon closed or answered nonsense)."""
        sock = socket.socket(address.family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            try:
                # Room for a whole probe frame in the kernel, so that it is written with one
                # system call (one wake-up of the sender thread), not one per 200 kB. The
                # kernel caps it at net.core.wmem_max.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
            except OSError:
                pass
            sock.connect(address.sockaddr)
            if not address.is_unix:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            send_frame(sock, pb.ClientMessage(sequence=1, hello=hello).SerializeToString())
            reader = FrameReader(sock, max_message_bytes=1 << 20)
            payload = reader.read()
            if payload is None:
                raise ConnectionError("the daemon closed the connection before answering Hello")
            answer = pb.ServerMessage.FromString(payload)
            kind = answer.WhichOneof("kind")
            if kind == "error":
                raise HandshakeRefused(answer.error)
            if kind != "welcome":
                raise FramingError(f"the daemon answered Hello with {kind!r} instead of Welcome")
            sock.settimeout(io_timeout)
            reader.max_message_bytes = 64 << 20
            return cls(sock, reader, answer.welcome, stats, on_error, on_alert, log)
        except BaseException:
            sock.close()
            raise

    # -- state -----------------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        return self._alive

    def fileno(self) -> int:
        return self._sock.fileno()

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    @property
    def max_message_bytes(self) -> int:
        return int(self.welcome.max_message_bytes) or (64 << 20)

    @property
    def heartbeat_interval(self) -> float:
        """Seconds of silence after which a Heartbeat goes out: the Welcome's interval, or a
        third of its idle timeout if that is shorter (a daemon configured inconsistently
        must not close a healthy session)."""
        interval = (self.welcome.heartbeat_interval_ms or 5000) / 1000.0
        if self.welcome.idle_timeout_ms:
            interval = min(interval, self.welcome.idle_timeout_ms / 3000.0)
        return interval

    # -- writing ---------------------------------------------------------------------------

    def next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    @staticmethod
    def frame(sequence: int, key: bytes, body: List, length: int, out: List) -> int:
        """Appends the frame of ClientMessage{sequence, <field `key`> = body} to `out` (a
        list of buffers written in order): `body` is the field's serialized message as a
        list of buffers of `length` bytes in all, appended as they are (never copied into
        an envelope). Returns the frame's size."""
        head = b"\x08" + encode_varint(sequence) + key + encode_varint(length)
        prefix = encode_varint(len(head) + length)
        out.append(prefix + head)
        out.extend(body)
        return len(prefix) + len(head) + length

    def write(self, parts: List, sequences: List[int] = ()) -> None:
        """Writes `parts` (in order; bytes or other contiguous buffers) with as few system
        calls as the socket allows, then counts `sequences` as awaiting their answer. While
        the socket is full it waits for it (at most the I/O timeout without progress);
        answers are not read meanwhile, so none can come before its message counts as sent
        (they wait in the socket: at most `credits` of them, a few bytes each). Raises
        SessionClosed if the connection ends."""
        if not self._alive:
            raise SessionClosed(self.end_reason)
        try:
            self._write_parts(parts)
        except OSError as exc:
            self.die(f"sending failed: {exc}")
            raise SessionClosed(self.end_reason) from exc
        for sequence in sequences:
            self._pending[sequence] = None
        self.last_send = time.monotonic()

    def _write_parts(self, parts: List) -> None:
        sock = self._sock
        start = 0
        poll = None
        deadline = 0.0
        while start < len(parts):
            batch = parts[start:start + _IOV_MAX]
            try:
                sent = sock.sendmsg(batch)
            except (BlockingIOError, InterruptedError):
                sent = 0
            if sent:
                deadline = 0.0
                for part in batch:
                    size = len(part)
                    if sent < size:
                        parts[start] = memoryview(part).cast("B")[sent:] if sent else part
                        break
                    sent -= size
                    start += 1
                continue
            if poll is None:
                poll = select.poll()
                poll.register(sock.fileno(), _POLL_OUT)
            now = time.monotonic()
            if not deadline:
                deadline = now + self._io_timeout
            elif now >= deadline:
                raise socket.timeout(f"no progress writing to the daemon for {self._io_timeout:g} s")
            poll.poll(max(0.0, deadline - now) * 1000)

    def heartbeat(self) -> None:
        if not self._alive:
            return
        body = pb.Heartbeat(client_time_unix_nanos=time.time_ns()).SerializeToString()
        parts: List = []
        self.frame(self.next_sequence(), b"\x6a", [body], len(body), parts)  # field 13, length-delimited
        try:
            self.write(parts)
        except SessionClosed:
            pass

    def goodbye(self, reason: str, deadline: float) -> None:
        """Sends Goodbye and waits (until `deadline`) for its Ack or the server's close."""
        if not self._alive:
            return
        sequence = self.next_sequence()
        self._goodbye_sequence = sequence
        parts: List = []
        body = pb.Goodbye(reason=reason).SerializeToString()
        self.frame(sequence, b"\x72", [body], len(body), parts)  # field 14
        try:
            self.write(parts)
        except SessionClosed:
            return
        while self._alive and not self._goodbye_answered:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self.wait_readable(min(remaining, 0.05))
            self.read_answers()

    # -- reading ---------------------------------------------------------------------------

    def wait_readable(self, timeout: float, extra_fd: Optional[int] = None) -> bool:
        """Waits until the socket (or `extra_fd`) is readable or `timeout` seconds pass."""
        if extra_fd is None:
            return bool(self._poll.poll(max(0.0, timeout) * 1000))
        poll = select.poll()
        poll.register(self._sock.fileno(), _POLL_IN)
        poll.register(extra_fd, _POLL_IN)
        return bool(poll.poll(max(0.0, timeout) * 1000))

    def read_answers(self) -> int:
        """Takes every answer that has arrived, without waiting. Returns the number of
        messages read; the session dies on a closed or broken connection."""
        if not self._alive:
            return 0
        try:
            payloads, closed = self._frames.read_ready()
        except (OSError, FramingError) as exc:
            self.die(f"reading failed: {exc}")
            return 0
        try:
            for payload in payloads:
                ack = _parse_ack(payload)
                if ack is not None:  # the frequent case, without a protobuf object
                    sequence, credits = ack
                    if sequence in self._pending:
                        del self._pending[sequence]
                        self._acked += 1
                    self.credits += credits
                    if sequence == self._goodbye_sequence:
                        self._goodbye_answered = True
                    continue
                try:
                    message = pb.ServerMessage.FromString(payload)
                except Exception as exc:  # protobuf DecodeError
                    self.die(f"the daemon sent an undecodable message: {exc}")
                    return 0
                self._handle(message)
                if not self._alive:
                    return len(payloads)
        finally:
            if self._acked:
                self._stats.add(acked=self._acked)
                self._acked = 0
        if closed:
            self.die("the daemon closed the connection")
        return len(payloads)

    def _handle(self, message: pb.ServerMessage) -> None:
        kind = message.WhichOneof("kind")
        if kind == "ack":
            ack = message.ack
            if ack.sequence in self._pending:
                del self._pending[ack.sequence]
                self._acked += 1
            self.credits += ack.credits
            if ack.sequence == self._goodbye_sequence:
                self._goodbye_answered = True
        elif kind == "error":
            error = message.error
            self._pending.pop(error.sequence, None)
            self.credits += error.credits
            if error.sequence and error.sequence == self._goodbye_sequence:
                self._goodbye_answered = True
            if error.code == pb.ERROR_CODE_SHUTTING_DOWN and error.sequence == 0:
                # A notice that the daemon stops, not a refusal of data: reconnecting follows.
                self._log.info("infoplane: %s", error.message or "the daemon is shutting down")
            else:
                self._stats.server_error(error_code_name(error.code), f"{error_code_name(error.code)}: {error.message}")
                self._on_error(error)
            if error.fatal:
                self.die(f"fatal error {error_code_name(error.code)}")
        elif kind == "alert":
            self._on_alert(message.alert)

    # -- ending ----------------------------------------------------------------------------

    def die(self, reason: Optional[str]) -> None:
        if not self._alive:
            return
        self._alive = False
        self.end_reason = reason or "closed"
        lost = len(self._pending)
        self._pending.clear()
        self._stats.set(connected=False)
        if lost:
            self._stats.add(lost=lost)
        if reason:
            self._log.debug("infoplane: session ended: %s", reason)

    def close(self) -> None:
        self.die(None)
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
