"""The background thread that owns the connection: it connects (and reconnects with
exponential backoff), takes records from the queue, chunks them and sends them within the
server's credits, and reads the server's answers. The training thread never waits for it.

Why one thread that wakes rarely: in CPython only one thread runs Python at a time. Every
time a background thread wakes up it has to take the GIL from the training thread, which
costs the training thread a forced switch and two context switches, more than the client's
own work for a small message. So the thread

- writes everything queued (within the credits) as one batch with one send, and reads every
  answer that arrived with one recv, whenever it is awake;
- after sending, sleeps for `flush_interval` (default 20 ms) before looking at the queue
  again, however many records are logged meanwhile: the training thread appends to a deque
  and signals nothing;
- when idle (nothing queued, nothing unanswered) sleeps until the socket has something to
  read or the training thread logs again (`nudge`: one byte on a socket pair, written only
  when the thread is idle), so the first record after a pause goes out at once;
- waits for the socket only when it must: out of credits with records queued, a flush or
  close waiting, or idle.
"""

from __future__ import annotations

import logging
import random
import select
import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterator, List, Optional, Tuple

from ._address import Address
from ._framing import FramingError, encode_varint
from ._proto.infoplane.v1 import infoplane_pb2 as pb
from ._queue import RecordQueue
from ._records import SCALARS_KEY, BorrowedFrameRecord, Record, ScalarsRecord, SnapshotRecord, encode_scalars
from ._session import HandshakeRefused, Session, SessionClosed
from .stats import StatsCounter

#: Room left in a message for everything but the tensor bytes of a chunk (names, step,
#: shapes, field tags: a few hundred bytes; layer names are at most 256 bytes).
MESSAGE_HEADROOM = 4096

#: The daemon's max_message_bytes before a Welcome says otherwise (its documented default).
DEFAULT_MAX_MESSAGE_BYTES = 64 << 20

#: A batch stops growing at this many bytes (it is written at once; the next one follows
#: immediately), so that a burst of large snapshot chunks is not all held in memory.
BATCH_BYTES = 1 << 20

_POLL_IN = select.POLLIN | select.POLLPRI


@dataclass(frozen=True)
class SenderSettings:
    chunk_bytes: int = 4 << 20
    connect_timeout: float = 2.0
    io_timeout: float = 10.0
    reconnect_initial_delay: float = 0.1
    reconnect_max_delay: float = 5.0
    flush_interval: float = 0.02


class _Outgoing:
    """A record being sent: its wire messages, how many exist, how many were framed into
    batches, how many of those were written."""

    __slots__ = ("record", "bodies", "total", "framed", "sent")

    def __init__(self, record: Record, bodies: Iterator[Tuple[bytes, bytes]], total: int) -> None:
        self.record = record
        self.bodies = bodies
        self.total = total
        self.framed = 0
        self.sent = 0


class Sender:
    def __init__(
        self,
        address: Address,
        hello: pb.Hello,
        queue: RecordQueue,
        stats: StatsCounter,
        settings: SenderSettings,
        on_error: Callable[[pb.Error], None],
        on_alert: Callable[[pb.Alert], None],
        log: logging.Logger,
    ) -> None:
        self.address = address
        self._hello = hello
        self._queue = queue
        self._stats = stats
        self._settings = settings
        self._on_error = on_error
        self._on_alert = on_alert
        self._log = log
        self._session: Optional[Session] = None
        self._closing = threading.Event()
        self._abort = threading.Event()
        self._close_deadline = float("inf")
        self._current: Optional[_Outgoing] = None
        # Waking the thread: a byte on a socket pair (a closed socket object refuses writes,
        # unlike a raw descriptor that may have been reused).
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        self._wake_poll = select.poll()
        self._wake_poll.register(self._wake_reader.fileno(), _POLL_IN)
        self._idle = False  # True while the thread sleeps with nothing to do: nudge() wakes it
        self._urgent = 0  # flush() calls waiting: no coalescing, answers read as they come
        self._cond = threading.Condition()  # flush() waits on it for answers
        self._ever_connected = False
        self._warned_unreachable = False
        self._refusals_logged = 0  # borrowed frames dropped on this thread (logged at WARNING thrice)
        self._last_max_message_bytes = 0  # the latest Welcome's, kept across reconnects
        self._thread = threading.Thread(target=self._run, name="infoplane-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def chunk_budget(self) -> int:
        """Tensor bytes allowed per chunk under the current session's limits."""
        session = self._session
        budget = self._settings.chunk_bytes
        if session is not None:
            budget = min(budget, session.max_message_bytes - MESSAGE_HEADROOM)
        return max(1, budget)

    @property
    def max_message_bytes(self) -> int:
        """The daemon's message limit: from the latest Welcome, else the documented default."""
        session = self._session
        limit = session.max_message_bytes if session is not None else self._last_max_message_bytes
        return limit or DEFAULT_MAX_MESSAGE_BYTES

    @property
    def in_flight(self) -> int:
        session = self._session
        return session.in_flight if session is not None and session.alive else 0

    # -- control from other threads --------------------------------------------------------

    def nudge(self) -> None:
        """Called after each queued record (training thread): wakes the thread only if it is
        idle; otherwise costs one attribute read."""
        if self._idle:
            self._idle = False
            self._wake()

    def _wake(self) -> None:
        try:
            self._wake_writer.send(b"\0")
        except OSError:  # full (a wake-up is pending anyway) or closed (the thread ended)
            pass

    def wait_connected(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            session = self._session
            if session is not None and session.alive:
                return True
            if time.monotonic() >= deadline or self._abort.is_set() or not self._thread.is_alive():
                return False
            time.sleep(0.005)

    def flush(self, timeout: float) -> bool:
        """Waits until every record queued so far is sent (or dropped) and answered."""
        deadline = time.monotonic() + timeout
        target = self._queue.offered
        with self._cond:
            self._urgent += 1
        try:
            self._wake()
            if not self._queue.wait_settled(target, deadline):
                return False
            with self._cond:
                while True:
                    session = self._session
                    if session is None or not session.alive or session.in_flight == 0:
                        return True
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._cond.wait(timeout=min(remaining, 0.05))
        finally:
            with self._cond:
                self._urgent -= 1

    def close(self, timeout: float) -> None:
        """Flushes within `timeout` seconds, says Goodbye, and stops the thread. Whatever is
        still queued at the deadline is dropped and counted."""
        self._close_deadline = time.monotonic() + timeout
        self._closing.set()
        self._wake()
        self._queue.wake()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout + 0.5)
        if self._thread.is_alive():
            self._abort.set()
            self._wake()
            self._thread.join(timeout=2.0)
        self._drop_queued()

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = self._settings.reconnect_initial_delay
        tried_while_closing = False
        try:
            while not self._abort.is_set():
                session = self._session
                if session is None or not session.alive:
                    if session is not None:
                        self._end_session(session)
                        self._log.warning("infoplane: lost the connection to the daemon at %s; reconnecting", self.address)
                    if self._closing.is_set():
                        if tried_while_closing or not self._has_work():
                            break
                        tried_while_closing = True
                    if not self._connect():
                        self._wait_backoff(backoff)
                        backoff = min(backoff * 2, self._settings.reconnect_max_delay)
                        continue
                    backoff = self._settings.reconnect_initial_delay
                    session = self._session

                session.read_answers()
                full = self._send_batch(session) if session.alive and session.credits > 0 else False
                if self._urgent:
                    with self._cond:
                        self._cond.notify_all()
                if not session.alive:
                    continue
                if self._closing.is_set() and (not self._has_work() or time.monotonic() > self._close_deadline):
                    break
                self._wait(session, full)
            self._finish()
        except Exception:  # never let the thread die silently
            self._log.exception("infoplane: the sender thread failed; further data is dropped")
            self._abort.set()
            if self._session is not None:
                self._session.close()
        finally:
            self._idle = False
            with self._cond:
                self._cond.notify_all()
            self._wake_reader.close()
            self._wake_writer.close()

    def _has_work(self) -> bool:
        return self._current is not None or len(self._queue) > 0

    def _wait(self, session: Session, full: bool) -> None:
        """Sleeps until there is something to do (see the module's docstring)."""
        now = time.monotonic()
        heartbeat_due = session.last_send + session.heartbeat_interval
        if now >= heartbeat_due:
            session.heartbeat()
            heartbeat_due = session.last_send + session.heartbeat_interval
        urgent = self._urgent or self._closing.is_set()
        limit = heartbeat_due - now
        if urgent:
            limit = min(limit, max(0.0, self._close_deadline - now))
        if self._has_work():
            if session.credits > 0:
                if urgent or full:
                    return  # the batch stopped at its size limit: go on at once
                self._sleep(self._settings.flush_interval)  # queued while the batch went out
            else:
                self._poll_session(session, limit)  # out of credits: wait for an answer
            return
        if session.in_flight:
            if urgent:
                self._poll_session(session, limit)
            else:
                self._sleep(self._settings.flush_interval)  # their answers are read next time
            return
        # Idle: nothing queued, nothing unanswered. Set the flag before looking at the queue
        # once more, so that a record queued in between is either seen here or nudges.
        self._idle = True
        if self._has_work():
            self._idle = False
            return
        self._poll_session(session, limit)
        self._idle = False

    def _sleep(self, seconds: float) -> None:
        if self._wake_poll.poll(seconds * 1000):
            self._drain_wake()

    def _poll_session(self, session: Session, seconds: float) -> None:
        poll = select.poll()
        poll.register(session.fileno(), _POLL_IN)
        poll.register(self._wake_reader.fileno(), _POLL_IN)
        for fd, _ in poll.poll(max(0.0, seconds) * 1000):
            if fd == self._wake_reader.fileno():
                self._drain_wake()

    def _drain_wake(self) -> None:
        try:
            while self._wake_reader.recv(4096):
                pass
        except OSError:
            pass

    def _send_batch(self, session: Session) -> bool:
        """Frames queued records into one batch (within the credits and BATCH_BYTES) and
        writes it. True if the batch stopped at BATCH_BYTES (more may be ready at once)."""
        budget = self.chunk_budget
        parts: List = []
        sequences: List[int] = []
        touched: List[_Outgoing] = []  # snapshot records with messages in this batch
        scalars = 0  # Scalars records in this batch (one message each)
        size = 0
        pop = self._queue.pop
        while session.credits > 0 and size < BATCH_BYTES:
            current = self._current
            if current is None:
                record = pop()
                if record is None:
                    break
                if type(record) is ScalarsRecord:  # the frequent case, kept short
                    sequence = session.next_sequence()
                    body = encode_scalars(record.step, record.epoch, record.split, record.values)
                    head = b"\x08" + encode_varint(sequence) + SCALARS_KEY + encode_varint(len(body))
                    frame = encode_varint(len(head) + len(body)) + head + body
                    parts.append(frame)
                    size += len(frame)
                    sequences.append(sequence)
                    session.credits -= 1
                    scalars += 1
                    continue
                if type(record) is BorrowedFrameRecord:
                    record = self._resolve(record)
                    if record is None:
                        continue
                if record.largest_row_bytes > session.max_message_bytes - MESSAGE_HEADROOM:
                    self._refuse_wide(record, session)
                    continue
                current = self._current = _Outgoing(record, record.wire_bodies(budget), record.message_count(budget))
            if not touched or touched[-1] is not current:
                touched.append(current)
            key, body, length = next(current.bodies)
            sequence = session.next_sequence()
            size += session.frame(sequence, key, body, length, parts)
            sequences.append(sequence)
            session.credits -= 1
            current.framed += 1
            if current.framed == current.total:
                self._current = None
        if not sequences:
            return False
        try:
            session.write(parts, sequences)
        except SessionClosed:
            # Nothing of this batch counts as sent; its records are dropped whole (what an
            # earlier batch sent of them is lost with the session, counted there).
            self._stats.add(dropped=scalars + sum(o.total - o.sent for o in touched), dropped_records=scalars + len(touched))
            self._current = None
            self._queue.settle(scalars + len(touched))
            return False
        self._stats.add(sent=len(sequences), bytes_sent=size)
        finished = scalars
        for outgoing in touched:
            outgoing.sent = outgoing.framed
            if outgoing.sent == outgoing.total:
                finished += 1
                if outgoing.record.release is not None:
                    self._release(outgoing.record)
        if finished:
            self._queue.settle(finished)
        return size >= BATCH_BYTES

    def _resolve(self, record: BorrowedFrameRecord) -> Optional[SnapshotRecord]:
        """Encodes a borrowed frame here, on the sender thread (waiting for its device copies
        first). A frame that cannot be sent (NaN or infinity in it, or a failed device copy)
        is dropped and counted; the thread goes on."""
        try:
            return record.resolve()
        except Exception as exc:  # ValueError (NaN, dtype), or whatever `ready` raised
            self._refusals_logged += 1
            level = logging.WARNING if self._refusals_logged <= 3 else logging.DEBUG
            self._log.log(level, "infoplane: %s; the frame of step %d was dropped", exc, record.step)
            self._stats.add(dropped=record.message_count(self.chunk_budget), dropped_records=1)
            self._queue.settle()
            return None

    def _release(self, record: SnapshotRecord) -> None:
        """Tells the owner of a borrowed frame that its arrays are written (read no more)."""
        try:
            record.release()
        except Exception:
            self._log.exception("infoplane: a frame's release callback failed")

    def _refuse_wide(self, record: Record, session: Session) -> None:
        self._log.warning("infoplane: a single row of %d bytes cannot fit the daemon's %d-byte message limit; "
                          "the snapshot of step %d was dropped (log fewer features per sample, or raise "
                          "the daemon's max_message_bytes)", record.largest_row_bytes, session.max_message_bytes, record.step)
        self._stats.add(dropped=record.message_count(self.chunk_budget), dropped_records=1)
        self._queue.settle()

    def _end_session(self, session: Session) -> None:
        """The session died: the rest of a record it was sending is dropped."""
        session.close()
        self._session = None
        current = self._current
        if current is not None:
            self._current = None
            self._stats.add(dropped=current.total - current.sent, dropped_records=1)
            self._queue.settle()

    def _connect(self) -> bool:
        try:
            session = Session.open(
                self.address, self._hello, self._settings.connect_timeout, self._settings.io_timeout,
                self._stats, self._on_error, self._on_alert, self._log)
        except HandshakeRefused as exc:
            self._stats.add(connect_failures=1)
            self._stats.server_error(exc.code_name, str(exc))
            self._log.warning("infoplane: %s", exc)
            return False
        except (OSError, FramingError, ValueError) as exc:
            self._stats.add(connect_failures=1)
            level = logging.DEBUG if self._warned_unreachable else logging.WARNING
            self._warned_unreachable = True
            self._log.log(level, "infoplane: cannot reach the daemon at %s (%s); data is dropped and counted until it is back, retrying with backoff", self.address, exc)
            return False
        self._session = session
        self._last_max_message_bytes = session.max_message_bytes
        self._stats.connected()
        if self._ever_connected:
            self._log.info("infoplane: reconnected to the daemon at %s (session %d)", self.address, session.welcome.session_id)
        self._ever_connected = True
        self._warned_unreachable = False
        return True

    def _wait_backoff(self, delay: float) -> None:
        if self._closing.is_set():
            return
        self._sleep(delay * random.uniform(0.5, 1.0))

    def _drop_queued(self) -> None:
        records = self._queue.drain()
        if not records:
            return
        budget = self.chunk_budget
        self._stats.add(dropped=sum(r.message_count(budget) for r in records), dropped_records=len(records))
        self._queue.settle(len(records))

    def _finish(self) -> None:
        session = self._session
        if session is not None and session.alive:
            deadline = min(self._close_deadline, time.monotonic() + 60.0)
            while session.alive and session.in_flight and not self._abort.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                session.wait_readable(min(remaining, 0.05))
                session.read_answers()
            session.goodbye("client closed", min(deadline + 0.5, time.monotonic() + 1.0))
        if session is not None:
            self._end_session(session)
        self._drop_queued()
