"""Counters of what a Monitor did with the messages it was given."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
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


class StatsCounter:
    """Thread-safe mutable counters behind MonitorStats."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stats = MonitorStats()
        self._connections = 0

    def add(self, **deltas: int) -> None:
        with self._lock:
            self._stats = replace(self._stats, **{k: getattr(self._stats, k) + v for k, v in deltas.items()})

    def set(self, **values) -> None:
        with self._lock:
            self._stats = replace(self._stats, **values)

    def connected(self) -> None:
        with self._lock:
            self._connections += 1
            reconnects = self._stats.reconnects + (1 if self._connections > 1 else 0)
            self._stats = replace(self._stats, connected=True, reconnects=reconnects)

    def server_error(self, code_name: str, description: str) -> None:
        with self._lock:
            by_code = dict(self._stats.errors_by_code)
            by_code[code_name] = by_code.get(code_name, 0) + 1
            self._stats = replace(self._stats, errors=self._stats.errors + 1, last_error=description, errors_by_code=by_code)

    def snapshot(self, queued: int) -> MonitorStats:
        with self._lock:
            return replace(self._stats, queued=queued)
