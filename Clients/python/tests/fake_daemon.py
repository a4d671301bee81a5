"""A minimal stand-in for infoplaned, for the few situations the real daemon cannot be made to
produce on demand: withholding Acks (to see that the client respects its credits) and
granting a tiny max_message_bytes. It speaks the wire protocol with its own framing code
(independent of the client's) and records what it received."""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import List, Optional

from infoplane._proto.infoplane.v1 import infoplane_pb2 as pb


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _recv_exact(conn: socket.socket, n: int) -> Optional[bytes]:
    data = bytearray()
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _read_message(conn: socket.socket) -> Optional[pb.ClientMessage]:
    length, shift = 0, 0
    while True:
        b = conn.recv(1)
        if not b:
            return None
        length |= (b[0] & 0x7F) << shift
        shift += 7
        if not b[0] & 0x80:
            break
    payload = _recv_exact(conn, length)
    if payload is None:
        return None
    return pb.ClientMessage.FromString(payload)


class FakeDaemon:
    """Listens on a Unix socket. `hold_acks=True` keeps Snapshot/Scalars unanswered until
    `release()`; `max_in_flight` records the most unanswered data messages seen at once."""

    def __init__(self, path: str, credits: int = 4, max_message_bytes: int = 64 << 20, hold_acks: bool = False) -> None:
        self.path = path
        self.credits = credits
        self.max_message_bytes = max_message_bytes
        self.hold_acks = hold_acks
        self.received: List[pb.ClientMessage] = []
        self.message_sizes: List[int] = []
        self.max_in_flight = 0
        self.credit_violations = 0
        self._held: List[int] = []
        self._in_flight = 0
        self._lock = threading.Condition()
        self._conn: Optional[socket.socket] = None
        if os.path.exists(path):
            os.unlink(path)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(path)
        self._listener.listen(4)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _send(self, message: pb.ServerMessage) -> None:
        payload = message.SerializeToString()
        self._conn.sendall(_varint(len(payload)) + payload)

    def _serve(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        self._conn = conn
        hello = _read_message(conn)
        if hello is None or hello.WhichOneof("kind") != "hello":
            conn.close()
            return
        with self._lock:
            self.received.append(hello)
            self._send(pb.ServerMessage(welcome=pb.Welcome(
                protocol_version=1, session_id=1, run_id="fake-" + hello.hello.run_name, run_name=hello.hello.run_name,
                max_message_bytes=self.max_message_bytes, credits=self.credits, heartbeat_interval_ms=5000,
                idle_timeout_ms=30000, server_version="fake")))
        while True:
            try:
                message = _read_message(conn)
            except OSError:
                return
            if message is None:
                return
            kind = message.WhichOneof("kind")
            with self._lock:
                self.received.append(message)
                if kind in ("snapshot", "scalars"):
                    self.message_sizes.append(message.ByteSize())
                    self._in_flight += 1
                    self.max_in_flight = max(self.max_in_flight, self._in_flight)
                    if self._in_flight > self.credits:
                        self.credit_violations += 1
                    if self.hold_acks:
                        self._held.append(message.sequence)
                    else:
                        self._in_flight -= 1
                        self._send(pb.ServerMessage(ack=pb.Ack(sequence=message.sequence, credits=1)))
                elif kind == "goodbye":
                    self._send(pb.ServerMessage(ack=pb.Ack(sequence=message.sequence, credits=0)))
                    conn.close()
                    return
                self._lock.notify_all()

    def data_messages(self) -> List[pb.ClientMessage]:
        with self._lock:
            return [m for m in self.received if m.WhichOneof("kind") in ("snapshot", "scalars")]

    def wait_for_data(self, count: int, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len([m for m in self.received if m.WhichOneof("kind") in ("snapshot", "scalars")]) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(timeout=remaining)
            return True

    def release(self, count: Optional[int] = None) -> int:
        """Acks up to `count` held messages (all if None), each returning one credit."""
        with self._lock:
            n = len(self._held) if count is None else min(count, len(self._held))
            for sequence in self._held[:n]:
                self._send(pb.ServerMessage(ack=pb.Ack(sequence=sequence, credits=1)))
            del self._held[:n]
            self._in_flight -= n
            return n

    def close(self) -> None:
        self._listener.close()
        if self._conn is not None:
            try:
                self._conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._conn.close()
        if os.path.exists(self.path):
            os.unlink(self.path)
