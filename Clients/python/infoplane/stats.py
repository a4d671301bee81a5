"""Counters of what a Monitor did with the messages it was given."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Dict, Optional


@dataclass(frozen=True)
class MonitorStats:
    """A consistent snapshot of a Monitor's counters. Counts are wire messages (one per
    Scalars call, one per chunk of a layer), except `dropped_records`, which counts calls.

    - sent: Snapshot/Scalars messages written to the daemon.
    - acked: messages the daemon acknowledged (validated and accepted).
    - errors: messages the daemon refused with an Error (see `errors_by_code`, `last_error`).
    - dropped: messages never sent: queue full, no connection, connection lost before the
      message went out, data refused locally (NaN), or still queued when close() gave up.
    - lost: messages sent whose answer never came because the connection broke.
    - reconnects: successful connections after the first one.
    - connect_failures: connection or handshake attempts that failed.
    - queued: records waiting in the queue right now.
    """

    sent: int = 0
    acked: int = 0
    errors: int = 0
    dropped: int = 0
    dropped_records: int = 0
    lost: int = 0
    reconnects: int = 0
    connect_failures: int = 0
    bytes_sent: int = 0
    queued: int = 0
    connected: bool = False
    last_error: Optional[str] = None
    errors_by_code: Dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """The counters a run ends with, in one line: "sent 12, acked 12, errors 0, dropped 0,
        lost 0, reconnects 0"."""
        return (f"sent {self.sent}, acked {self.acked}, errors {self.errors}, dropped {self.dropped}, "
                f"lost {self.lost}, reconnects {self.reconnects}")


_COUNTERS = ("sent", "acked", "errors", "dropped", "dropped_records", "lost", "reconnects", "connect_failures", "bytes_sent")


class StatsCounter:
    """Thread-safe mutable counters behind MonitorStats. `add` is on the training thread's
    path when records are dropped, so it only bumps integers; MonitorStats is built on demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Dict[str, int] = dict.fromkeys(_COUNTERS, 0)
        self._connected = False
        self._last_error: Optional[str] = None
        self._errors_by_code: Dict[str, int] = {}
        self._connections = 0

    def add(self, **deltas: int) -> None:
        counts = self._counts
        with self._lock:
            for key, value in deltas.items():
                counts[key] += value

    def set(self, connected: bool) -> None:
        with self._lock:
            self._connected = connected

    def connected(self) -> None:
        with self._lock:
            self._connections += 1
            if self._connections > 1:
                self._counts["reconnects"] += 1
            self._connected = True

    def server_error(self, code_name: str, description: str) -> None:
        with self._lock:
            self._errors_by_code[code_name] = self._errors_by_code.get(code_name, 0) + 1
            self._counts["errors"] += 1
            self._last_error = description

    def snapshot(self, queued: int) -> MonitorStats:
        with self._lock:
            return MonitorStats(queued=queued, connected=self._connected, last_error=self._last_error,
                                errors_by_code=dict(self._errors_by_code), **self._counts)
