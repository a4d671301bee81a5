"""The Monitor: what a training script uses to stream activations and scalars to infoplaned."""

from __future__ import annotations

import atexit
import collections
import logging
from math import isfinite
import operator
import threading
import weakref
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional

from . import __version__
from ._address import Address, resolve_address
from ._proto.infoplane.v1 import infoplane_pb2 as pb
from ._queue import RecordQueue
from ._records import BorrowedFrameRecord, BorrowedLayer, LayerPayload, Record, ScalarsRecord, SnapshotRecord
from ._sender import Sender, SenderSettings
from ._session import PROTOCOL_VERSION, error_code_name
from ._tensors import SPLIT_NAMES, NonFiniteValues, encode_sample_ids, encode_values, role_code, split_code
from .stats import MonitorStats, StatsCounter

_LOG = logging.getLogger("infoplane")

_RUN_OPTION_FIELDS = {f.name for f in pb.RunOptions.DESCRIPTOR.fields}


def _check_name(value: str, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    if len(value.encode("utf-8")) > limit:
        raise ValueError(f"{what} {value[:40]!r}... is longer than {limit} bytes; choose a shorter name")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"{what} {value!r} contains control characters")
    return value


def _check_step(step: Any) -> int:
    try:
        value = operator.index(step)
    except TypeError:
        raise TypeError(f"step must be an integer, not {type(step).__name__}") from None
    if value < 0:
        raise ValueError(f"step must be >= 0, not {value}")
    return value


def _epoch(epoch: Any) -> int:
    return -1 if epoch is None else operator.index(epoch)


class Monitor:
    """Streams a training run's activations and metrics to the infoplane daemon.

    Every `log_*` call copies its data into a bounded queue and returns at once; a background
    thread connects, chunks, and sends within the daemon's credits. When the daemon is slow,
    absent or restarting, records are dropped and counted (see `stats`) rather than making
    training wait; the connection is retried with exponential backoff.

    The thread sends what was queued in batches: after a batch it sleeps `flush_interval`
    seconds (default 0.02) before taking the next, so that frequent small calls (scalars every
    step) cost the training thread almost nothing; the first record after a quiet spell goes
    out at once. `flush()` and `close()` send without waiting for the interval. Alerts
    (`on_alert`) are delivered on that thread: keep the callback short.

    `address` is a Unix socket path or `host:port` (TCP); None means $INFOPLANE_ADDRESS, or
    else the daemon's default socket /run/infoplane/infoplane.sock.

        with Monitor(run="mnist-mlp-seed0") as monitor:
            for step in ...:
                monitor.log_scalars(step, loss=loss, accuracy=acc)
                if step % 100 == 0:
                    monitor.log_frame(step, layers={"fc1": h1, "fc2": h2}, inputs=x, labels=y)
    """

    def __init__(
        self,
        run: str,
        address: Optional[str] = None,
        *,
        metadata: Optional[Mapping[str, Any]] = None,
        options: Optional[Mapping[str, Any]] = None,
        client_name: Optional[str] = None,
        max_queue_records: int = 1024,
        max_queue_bytes: int = 64 << 20,
        chunk_bytes: int = 4 << 20,
        connect_timeout: float = 2.0,
        io_timeout: float = 10.0,
        reconnect_initial_delay: float = 0.1,
        reconnect_max_delay: float = 5.0,
        close_timeout: float = 5.0,
        flush_interval: float = 0.02,
        on_alert: Optional[Callable[[pb.Alert], None]] = None,
    ) -> None:
        self.run = _check_name(run, "run name", 128)
        self.address: Address = resolve_address(address)
        self.close_timeout = close_timeout
        self._on_alert_callback = on_alert
        self._alerts: Deque[pb.Alert] = collections.deque(maxlen=1000)
        self._error_log_counts: Dict[str, int] = {}
        self._local_warnings: Dict[str, int] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._stats = StatsCounter()
        self._queue = RecordQueue(max_queue_records, max_queue_bytes)
        hello = pb.Hello(
            protocol_version=PROTOCOL_VERSION,
            client_name=client_name or f"infoplane-python/{__version__}",
            run_name=self.run,
            metadata={str(k): str(v) for k, v in (metadata or {}).items()},
            options=self._run_options(options),
        )
        if not flush_interval > 0:
            raise ValueError("flush_interval must be positive (seconds)")
        settings = SenderSettings(chunk_bytes, connect_timeout, io_timeout, reconnect_initial_delay, reconnect_max_delay,
                                  flush_interval)
        self._sender = Sender(self.address, hello, self._queue, self._stats, settings,
                              self._on_error, self._on_alert, _LOG)
        self._sender.start()
        self_ref = weakref.ref(self)
        self._atexit = lambda: (lambda m: m is not None and m.close(timeout=min(1.0, m.close_timeout)))(self_ref())
        atexit.register(self._atexit)

    @staticmethod
    def _run_options(options: Optional[Mapping[str, Any]]) -> pb.RunOptions:
        options = dict(options or {})
        unknown = set(options) - _RUN_OPTION_FIELDS
        if unknown:
            raise ValueError(f"unknown run options {sorted(unknown)}; known: {sorted(_RUN_OPTION_FIELDS)}")
        if isinstance(options.get("estimators"), str):
            options["estimators"] = [options["estimators"]]
        return pb.RunOptions(**options)

    # -- logging ---------------------------------------------------------------------------

    def log_activations(
        self,
        step: int,
        layer: str,
        values: Any,
        sample_ids: Any = None,
        split: Any = "probe",
        role: Any = "hidden",
        epoch: Optional[int] = None,
        *,
        frame_layer_count: int = 0,
        dtype: Any = None,
    ) -> bool:
        """Queues one layer's values for a set of samples: `values` has one row per sample
        (numpy array or torch tensor; further dimensions are flattened per sample). Floats are
        sent in their own precision (float16, bfloat16, float32, float64) unless `dtype` asks
        for one ('f16', 'bf16', 'f32', 'f64'). Labels use role='label' with integer values.

        Returns True if queued, False if dropped (queue full, monitor closed, NaN/inf values).
        Raises ValueError/TypeError for arguments that could never be sent (bad names, shapes).
        """
        step = _check_step(step)
        layer = _check_name(layer, "layer name", 256)
        role_value = role_code(role)
        split_value = split_code(split)
        epoch_value = _epoch(epoch)
        try:
            payload = LayerPayload(layer, role_value, encode_values(values, role_value, dtype, what=f"layer {layer!r}"))
        except NonFiniteValues as exc:
            return self._refuse_locally("non-finite", f"{exc}; the snapshot was dropped")
        ids = encode_sample_ids(sample_ids, payload.values.rows)
        return self._offer(SnapshotRecord(step, epoch_value, split_value, (payload,), ids, int(frame_layer_count)))

    def log_frame(
        self,
        step: int,
        layers: Mapping[str, Any],
        inputs: Any = None,
        labels: Any = None,
        split: Any = "probe",
        epoch: Optional[int] = None,
        sample_ids: Any = None,
        *,
        roles: Optional[Mapping[str, Any]] = None,
        dtype: Any = None,
        inputs_name: str = "inputs",
        labels_name: str = "labels",
        borrow: bool = False,
        ready: Optional[Callable[[], Any]] = None,
        release: Optional[Callable[[], Any]] = None,
    ) -> bool:
        """Queues a whole probe frame (all layers of one step and split, same rows) as one
        unit, with `frame_layer_count` set so the daemon knows when the frame is complete.

        `layers` maps layer names to values (role 'hidden' unless `roles` says otherwise,
        e.g. roles={"logits": "output"}); `inputs` (role input) and `labels` (role label) are
        optional. All must have the same number of rows, identified by `sample_ids`
        (default 0..rows-1). Returns True if queued, False if dropped.

        `borrow=True` hands the arrays (numpy arrays, CPU torch tensors, pinned host
        buffers) to the sender thread as they are instead of copying them here: the sender
        thread calls `ready()` if given (e.g. a CUDA event's `synchronize`, for non-blocking
        device-to-host copies still in flight), then converts, checks and encodes them, so
        the calling thread only checks names and shapes. The caller must not modify the
        arrays afterwards. NaN or infinity is then found on the sender thread: the frame is
        dropped and counted there (this call has returned True). `release`, if given, is
        called on the sender thread once every byte of the frame has been written to the
        daemon: the arrays are read no more and may be reused (it is not called for a frame
        that is dropped; keep it short). `ready` and `release` imply `borrow`."""
        step = _check_step(step)
        split_value = split_code(split)
        epoch_value = _epoch(epoch)
        roles = dict(roles or {})
        entries: List[tuple] = []
        if inputs is not None:
            entries.append((inputs_name, pb.ROLE_INPUT, inputs))
        if labels is not None:
            entries.append((labels_name, pb.ROLE_LABEL, labels))
        for name, values in layers.items():
            entries.append((name, role_code(roles.pop(name, "hidden")), values))
        if roles:
            raise ValueError(f"roles names layers that are not in the frame: {sorted(roles)}")
        if not entries:
            raise ValueError("log_frame needs at least one layer, inputs or labels")
        names = [_check_name(name, "layer name", 256) for name, _, _ in entries]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names in a frame must be distinct: {names}")
        if borrow or ready is not None or release is not None:
            return self._offer_borrowed(step, epoch_value, split_value, entries, sample_ids, dtype, ready, release)
        payloads = []
        try:
            for name, role_value, values in entries:
                layer_dtype = dtype if role_value != pb.ROLE_LABEL else None
                payloads.append(LayerPayload(name, role_value, encode_values(values, role_value, layer_dtype, what=f"layer {name!r}")))
        except NonFiniteValues as exc:
            return self._refuse_locally("non-finite", f"{exc}; the frame of step {step} was dropped")
        rows = {p.values.rows for p in payloads}
        if len(rows) != 1:
            raise ValueError(f"all layers of a frame need the same number of rows, got " +
                             ", ".join(f"{p.layer}: {p.values.rows}" for p in payloads))
        ids = encode_sample_ids(sample_ids, payloads[0].values.rows)
        return self._offer(SnapshotRecord(step, epoch_value, split_value, tuple(payloads), ids, len(payloads)))

    def _offer_borrowed(self, step: int, epoch: int, split: int, entries: List[tuple], sample_ids: Any, dtype: Any,
                        ready: Optional[Callable[[], Any]], release: Optional[Callable[[], Any]] = None) -> bool:
        """log_frame(borrow=True): checks shapes now, encodes on the sender thread."""
        layers = tuple(BorrowedLayer.of(name, role_value, values, dtype if role_value != pb.ROLE_LABEL else None)
                       for name, role_value, values in entries)
        rows = {p.rows for p in layers}
        if len(rows) != 1 or 0 in rows:
            raise ValueError(f"all layers of a frame need the same, non-zero number of rows, got " +
                             ", ".join(f"{p.layer}: {p.rows}" for p in layers))
        ids = encode_sample_ids(sample_ids, layers[0].rows)
        return self._offer(BorrowedFrameRecord(step, epoch, split, layers, ids, ready, release))

    def log_scalars(self, step: int, split: Any = "train", epoch: Optional[int] = None, **values: float) -> bool:
        """Queues scalar metrics of one step, e.g. log_scalars(step, loss=0.3, accuracy=0.9)
        or log_scalars(step, split="validation", loss=0.4). Non-finite values are left out
        (the daemon refuses them) with a warning. Returns True if queued, False if dropped."""
        # Called every step: the common cases (int step, split name) take the short path,
        # and nothing is encoded here (the sender thread does that).
        if type(step) is not int or step < 0:
            step = _check_step(step)
        split_value = SPLIT_NAMES.get(split) if type(split) is str else None
        if split_value is None:
            split_value = split_code(split)
        clean: Dict[str, float] = {}
        for name, value in values.items():
            number = float(value)
            if isfinite(number):
                clean[name] = number
            else:
                self._warn_once("non-finite-scalar:" + name, f"infoplane: scalar {name!r} is {number} at step {step}; non-finite scalars are not sent")
        if not clean:
            return False
        return self._offer(ScalarsRecord(step, -1 if epoch is None else operator.index(epoch), split_value, clean))

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def stats(self) -> MonitorStats:
        """Counters of sent, acknowledged, refused, dropped and lost messages, reconnects."""
        return self._stats.snapshot(queued=len(self._queue))

    @property
    def max_message_bytes(self) -> int:
        """The daemon's `max_message_bytes` (its Welcome's; before the first connection the
        documented default, 64 MiB): also its budget for one frame being received."""
        return self._sender.max_message_bytes

    @property
    def max_queue_bytes(self) -> int:
        """Bytes the client's queue holds at most: a frame larger than this is dropped."""
        return self._queue.max_bytes

    @property
    def alerts(self) -> List[pb.Alert]:
        """Alerts the daemon sent on this run (the latest 1000)."""
        return list(self._alerts)

    @property
    def closed(self) -> bool:
        return self._closed

    def wait_connected(self, timeout: float = 5.0) -> bool:
        """Waits up to `timeout` seconds for a session with the daemon (optional: logging
        works before that, into the queue). True if connected."""
        return self._sender.wait_connected(timeout)

    def flush(self, timeout: float = 5.0) -> bool:
        """Waits up to `timeout` seconds until everything logged so far has been sent and
        answered by the daemon (or dropped). True if that happened in time."""
        return self._sender.flush(timeout)

    def close(self, timeout: Optional[float] = None) -> MonitorStats:
        """Flushes (waiting at most `timeout` seconds, default `close_timeout`), says Goodbye
        and stops the sender. Data still queued after the wait is dropped and counted.
        Idempotent. Returns the final stats."""
        with self._lock:
            if self._closed:
                return self.stats
            self._closed = True
        self._sender.close(self.close_timeout if timeout is None else timeout)
        atexit.unregister(self._atexit)
        return self.stats

    def __enter__(self) -> "Monitor":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Monitor(run={self.run!r}, address={str(self.address)!r}, closed={self._closed})"

    # -- internals -------------------------------------------------------------------------

    def _offer(self, record: Record) -> bool:
        if self._closed:
            self._warn_once("closed", "infoplane: the monitor is closed; further data is dropped")
        elif self._queue.offer(record):
            self._sender.nudge()
            return True
        self._stats.add(dropped=record.message_count(self._sender.chunk_budget), dropped_records=1)
        return False

    def _refuse_locally(self, key: str, message: str) -> bool:
        self._stats.add(dropped=1, dropped_records=1)
        self._warn_once(key, "infoplane: " + message)
        return False

    def _warn_once(self, key: str, message: str) -> None:
        count = self._local_warnings.get(key, 0)
        self._local_warnings[key] = count + 1
        _LOG.log(logging.WARNING if count == 0 else logging.DEBUG, message)

    def _on_error(self, error: pb.Error) -> None:
        name = error_code_name(error.code)
        count = self._error_log_counts.get(name, 0) + 1
        self._error_log_counts[name] = count
        level = logging.WARNING if count <= 3 or count % 1000 == 0 else logging.DEBUG
        suffix = " (further errors of this kind are logged at DEBUG level)" if count == 3 else ""
        _LOG.log(level, "infoplane: the daemon refused message %d (%s, %d so far): %s%s",
                 error.sequence, name, count, error.message, suffix)

    def _on_alert(self, alert: pb.Alert) -> None:
        self._alerts.append(alert)
        _LOG.warning("infoplane alert [%s] %s layer %s at step %d: %s",
                     pb.Severity.Name(alert.severity) if alert.severity in pb.Severity.values() else alert.severity,
                     alert.kind, alert.layer, alert.step, alert.message)
        if self._on_alert_callback is not None:
            try:
                self._on_alert_callback(alert)
            except Exception:
                _LOG.exception("infoplane: the on_alert callback failed")
