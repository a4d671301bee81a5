"""A queue bounded by record count and by bytes, whose producer never waits."""

from __future__ import annotations

import collections
import threading
import time
from typing import Deque, List, Optional

from ._records import Record


class RecordQueue:
    """FIFO of records. `offer` refuses (returns False) instead of waiting when the queue is
    at either bound. It is the training thread's only contact with the sender: a plain lock
    held for a few list operations, and no notification (the sender wakes on its own timer,
    or when Sender.nudge is called; see _sender.py).

    It also counts records offered and settled (sent or dropped by the consumer), so that
    `wait_settled` can tell when everything offered before a point in time has been handled.
    """

    def __init__(self, max_records: int, max_bytes: int) -> None:
        if max_records < 1 or max_bytes < 1:
            raise ValueError("the queue needs room for at least one record and one byte")
        self.max_records = max_records
        self.max_bytes = max_bytes
        self._items: Deque[Record] = collections.deque()
        self._bytes = 0
        self._lock = threading.Lock()
        self._settled_cond = threading.Condition(threading.Lock())
        self.offered = 0
        self.settled = 0

    def __len__(self) -> int:
        return len(self._items)

    def offer(self, record: Record) -> bool:
        size = record.nbytes
        with self._lock:
            items = self._items
            if len(items) >= self.max_records or (items and self._bytes + size > self.max_bytes) or size > self.max_bytes:
                return False
            items.append(record)
            self._bytes += size
            self.offered += 1
            return True

    def pop(self) -> Optional[Record]:
        """The oldest record, or None if the queue is empty (never waits)."""
        with self._lock:
            if not self._items:
                return None
            record = self._items.popleft()
            self._bytes -= record.nbytes
            return record

    def drain(self) -> List[Record]:
        """Removes and returns every queued record (they must then be settled by the caller)."""
        with self._lock:
            items = list(self._items)
            self._items.clear()
            self._bytes = 0
            return items

    def settle(self, count: int = 1) -> None:
        """Marks `count` taken records as handled (sent or dropped)."""
        with self._settled_cond:
            self.settled += count
            self._settled_cond.notify_all()

    def wake(self) -> None:
        with self._settled_cond:
            self._settled_cond.notify_all()

    def wait_settled(self, target: int, deadline: float) -> bool:
        with self._settled_cond:
            while self.settled < target:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._settled_cond.wait(timeout=remaining)
            return True
