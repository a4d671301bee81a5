"""The background thread that owns the connection: it connects (and reconnects with
exponential backoff), takes records from the queue, chunks them and sends them within the
server's credits. The training thread never waits for it."""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional

from ._address import Address
from ._framing import FramingError
from ._proto.infoplane.v1 import infoplane_pb2 as pb
from ._queue import RecordQueue
from ._records import Record, ScalarsRecord
from ._session import HandshakeRefused, Session
from .stats import StatsCounter

#: Room left in a message for everything but the tensor bytes of a chunk (names, step,
#: shapes, field tags: a few hundred bytes; layer names are at most 256 bytes).
MESSAGE_HEADROOM = 4096


@dataclass(frozen=True)
class SenderSettings:
    chunk_bytes: int = 4 << 20
    connect_timeout: float = 2.0
    io_timeout: float = 10.0
    reconnect_initial_delay: float = 0.1
    reconnect_max_delay: float = 5.0


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
        self._wake = threading.Event()
        self._ever_connected = False
        self._warned_unreachable = False
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
    def in_flight(self) -> int:
        session = self._session
        return session.in_flight if session is not None and session.alive else 0

    # -- control from the Monitor ----------------------------------------------------------

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
        if not self._queue.wait_settled(self._queue.offered, deadline):
            return False
        session = self._session
        if session is None or not session.alive:
            return True
        return session.wait_answered(deadline)

    def close(self, timeout: float) -> None:
        """Flushes within `timeout` seconds, says Goodbye, and stops the thread. Whatever is
        still queued at the deadline is dropped and counted."""
        self._close_deadline = time.monotonic() + timeout
        self._closing.set()
        self._wake.set()
        self._queue.wake()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout + 0.5)
        if self._thread.is_alive():
            self._abort.set()
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
                        session.close()
                        self._session = None
                        self._log.warning("infoplane: lost the connection to the daemon at %s; reconnecting", self.address)
                    if self._closing.is_set():
                        if tried_while_closing or len(self._queue) == 0:
                            break
                        tried_while_closing = True
                    if not self._connect():
                        self._wait_backoff(backoff)
                        backoff = min(backoff * 2, self._settings.reconnect_max_delay)
                        continue
                    backoff = self._settings.reconnect_initial_delay
                    session = self._session

                record = self._queue.take(timeout=0.1)
                if record is None:
                    if self._closing.is_set():
                        break
                    if time.monotonic() - session.last_send > session.heartbeat_interval:
                        session.heartbeat()
                    continue
                self._send(session, record)
                if self._closing.is_set() and time.monotonic() > self._close_deadline:
                    break
            self._finish()
        except Exception:  # never let the thread die silently
            self._log.exception("infoplane: the sender thread failed; further data is dropped")
            self._abort.set()
            if self._session is not None:
                self._session.close()

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
        self._stats.connected()
        if self._ever_connected:
            self._log.info("infoplane: reconnected to the daemon at %s (session %d)", self.address, session.welcome.session_id)
        self._ever_connected = True
        self._warned_unreachable = False
        return True

    def _wait_backoff(self, delay: float) -> None:
        jittered = delay * random.uniform(0.5, 1.0)
        self._wake.wait(timeout=jittered)
        if not self._closing.is_set():
            self._wake.clear()

    def _send(self, session: Session, record: Record) -> None:
        budget = self.chunk_budget
        total = record.message_count(budget)
        field = "scalars" if isinstance(record, ScalarsRecord) else "snapshot"
        if field == "snapshot" and record.largest_row_bytes > session.max_message_bytes - MESSAGE_HEADROOM:
            self._log.warning("infoplane: a single row of %d bytes cannot fit the daemon's %d-byte message limit; "
                              "the snapshot of step %d was dropped (log fewer features per sample, or raise "
                              "the daemon's max_message_bytes)", record.largest_row_bytes, session.max_message_bytes, record.step)
            self._stats.add(dropped=total, dropped_records=1)
            self._queue.settle()
            return
        sent = 0
        try:
            for body in record.messages(budget):
                if not session.send_data(field, body, self._abort):
                    break
                sent += 1
        finally:
            if sent < total:
                self._stats.add(dropped=total - sent, dropped_records=1)
            self._queue.settle()

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
            session.wait_answered(deadline, self._abort)
            session.goodbye("client closed", min(deadline + 0.5, time.monotonic() + 1.0))
        if session is not None:
            session.close()
        self._drop_queued()
