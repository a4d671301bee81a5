"""One connection to the daemon: handshake, credit-gated sends, and a reader thread that
takes Acks, Errors and Alerts."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Callable, Dict, Optional, Tuple

from ._address import Address
from ._framing import FrameReader, FramingError, embedded_field, send_frame
from ._proto.infoplane.v1 import infoplane_pb2 as pb
from .stats import StatsCounter

PROTOCOL_VERSION = 1

_CLIENT_FIELD_NUMBERS = {f.name: f.number for f in pb.ClientMessage.DESCRIPTOR.fields}


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


class Session:
    """A connected, welcomed session. Only one thread (the sender) may call the send methods;
    the reader thread updates credits and counters."""

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
        self.welcome = welcome
        self._stats = stats
        self._on_error = on_error
        self._on_alert = on_alert
        self._log = log
        self._cond = threading.Condition()
        self._credits = int(welcome.credits)
        self._pending: Dict[int, None] = {}
        self._sequence = 1  # Hello was 1
        self._alive = True
        self._goodbye_sequence: Optional[int] = None
        self._goodbye_answered = False
        self.last_send = time.monotonic()
        self._reader = threading.Thread(target=self._read_loop, name="infoplane-reader", daemon=True)
        self._frames = frames
        self._reader.start()

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

    @property
    def in_flight(self) -> int:
        with self._cond:
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

    # -- sending (sender thread only) ------------------------------------------------------

    def _next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def _write(self, message: pb.ClientMessage, body: Optional[Tuple[str, bytes]] = None) -> int:
        """Sends `message`, followed by `body` = (ClientMessage field name, serialized
        message) if given: the concatenation is the ClientMessage with that field set, so a
        large Snapshot is serialized once and never copied into an envelope."""
        head = message.SerializeToString()
        payload = b""
        if body is not None:
            field, payload = body
            head += embedded_field(_CLIENT_FIELD_NUMBERS[field], payload)
        try:
            send_frame(self._sock, payload, head)
        except OSError as exc:
            self._die(f"sending failed: {exc}")
            raise
        self.last_send = time.monotonic()
        return len(head) + len(payload)

    def send_data(self, field: str, body, abort: threading.Event) -> bool:
        """Sends a Snapshot or Scalars after waiting for a credit. Heartbeats keep the
        session alive while it waits. False if the session died or `abort` was set first."""
        with self._cond:
            while self._alive and self._credits <= 0 and not abort.is_set():
                self._cond.wait(timeout=min(0.05, self.heartbeat_interval))
                if self._credits <= 0 and time.monotonic() - self.last_send > self.heartbeat_interval:
                    self._cond.release()
                    try:
                        self.heartbeat()
                    finally:
                        self._cond.acquire()
            if not self._alive or self._credits <= 0:
                return False
            self._credits -= 1
            sequence = self._next_sequence()
            self._pending[sequence] = None
        try:
            size = self._write(pb.ClientMessage(sequence=sequence), (field, body.SerializeToString()))
        except OSError:
            return False
        self._stats.add(sent=1, bytes_sent=size)
        return True

    def heartbeat(self) -> None:
        if not self._alive:
            return
        try:
            self._write(pb.ClientMessage(sequence=self._next_sequence(),
                                         heartbeat=pb.Heartbeat(client_time_unix_nanos=time.time_ns())))
        except OSError:
            pass

    def wait_answered(self, deadline: float, abort: Optional[threading.Event] = None) -> bool:
        """Waits until every sent data message has its Ack or Error (True), the session dies,
        or the monotonic `deadline` passes (False)."""
        with self._cond:
            while self._pending and self._alive:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (abort is not None and abort.is_set()):
                    return False
                self._cond.wait(timeout=min(remaining, 0.05))
            return not self._pending

    def goodbye(self, reason: str, deadline: float) -> None:
        """Sends Goodbye and waits (until `deadline`) for its Ack or the server's close."""
        if not self._alive:
            return
        with self._cond:
            sequence = self._next_sequence()
            self._goodbye_sequence = sequence
        try:
            self._write(pb.ClientMessage(sequence=sequence, goodbye=pb.Goodbye(reason=reason)))
        except OSError:
            return
        with self._cond:
            while self._alive and not self._goodbye_answered:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(timeout=min(remaining, 0.05))

    def close(self) -> None:
        self._die(None)
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        if self._reader is not threading.current_thread():
            self._reader.join(timeout=1.0)

    # -- reading (reader thread) -----------------------------------------------------------

    def _die(self, reason: Optional[str]) -> None:
        with self._cond:
            if not self._alive:
                return
            self._alive = False
            lost = len(self._pending)
            self._pending.clear()
            self._cond.notify_all()
        self._stats.set(connected=False)
        if lost:
            self._stats.add(lost=lost)
        if reason:
            self._log.debug("infoplane: session ended: %s", reason)

    def _read_loop(self) -> None:
        while self._alive:
            try:
                payload = self._frames.read()
            except socket.timeout:
                continue
            except (OSError, FramingError) as exc:
                self._die(f"reading failed: {exc}")
                return
            if payload is None:
                self._die("the daemon closed the connection")
                return
            try:
                message = pb.ServerMessage.FromString(payload)
            except Exception as exc:  # protobuf DecodeError
                self._die(f"the daemon sent an undecodable message: {exc}")
                return
            self._handle(message)

    def _handle(self, message: pb.ServerMessage) -> None:
        kind = message.WhichOneof("kind")
        if kind == "ack":
            ack = message.ack
            with self._cond:
                known = ack.sequence in self._pending
                self._pending.pop(ack.sequence, None)
                self._credits += ack.credits
                if ack.sequence == self._goodbye_sequence:
                    self._goodbye_answered = True
                self._cond.notify_all()
            if known:
                self._stats.add(acked=1)
        elif kind == "error":
            error = message.error
            with self._cond:
                self._pending.pop(error.sequence, None)
                self._credits += error.credits
                if error.sequence and error.sequence == self._goodbye_sequence:
                    self._goodbye_answered = True
                self._cond.notify_all()
            if error.code == pb.ERROR_CODE_SHUTTING_DOWN and error.sequence == 0:
                # A notice that the daemon stops, not a refusal of data: reconnecting follows.
                self._log.info("infoplane: %s", error.message or "the daemon is shutting down")
            else:
                self._stats.server_error(error_code_name(error.code), f"{error_code_name(error.code)}: {error.message}")
                self._on_error(error)
            if error.fatal:
                self._die(f"fatal error {error_code_name(error.code)}")
        elif kind == "alert":
            self._on_alert(message.alert)
