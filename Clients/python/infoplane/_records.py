"""What the training thread queues for the sender: immutable records that turn into wire
messages (chunked by rows) only on the sender thread."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

import numpy as np

from ._framing import encode_varint
from ._proto.infoplane.v1 import infoplane_pb2 as pb
from ._tensors import WireArray, encode_values, row_ranges, wire_item_size

#: ClientMessage field numbers of the data messages, as the key byte of a length-delimited
#: field: (number << 3) | 2.
SNAPSHOT_KEY = bytes([(11 << 3) | 2])
SCALARS_KEY = bytes([(12 << 3) | 2])
_INT64_MASK = (1 << 64) - 1
_pack_double = struct.Struct("<d").pack
_scalar_entry_heads: Dict[str, bytes] = {}


def _scalar_entry_head(name: str) -> bytes:
    """Everything of a `values` map entry but the 8 value bytes: the field key (5, length-
    delimited), the entry's length, the entry's key field (1, string) and the value's key
    (2, fixed64). Cached per metric name."""
    head = _scalar_entry_heads.get(name)
    if head is None:
        key = name.encode("utf-8")
        entry = b"\x0a" + encode_varint(len(key)) + key + b"\x11"
        head = b"\x2a" + encode_varint(len(entry) + 8) + entry
        if len(_scalar_entry_heads) < 4096:
            _scalar_entry_heads[name] = head
    return head


def _int_field(key: int, value: int) -> bytes:
    """A varint field (int64, uint32 or enum) with its key byte; nothing for 0 (proto3)."""
    if not value:
        return b""
    return bytes((key,)) + encode_varint(value & _INT64_MASK)


def _string_field(key: int, value: str) -> bytes:
    data = value.encode("utf-8")
    return bytes((key,)) + encode_varint(len(data)) + data if data else b""


def _tensor_head(tensor: WireArray, rows: int, data_length: int) -> bytes:
    """A Tensor message up to its data bytes: shape (packed), dtype, data's key and length."""
    shape = b"".join(encode_varint(d) for d in (rows,) + tuple(tensor.array.shape[1:]))
    return (b"\x0a" + encode_varint(len(shape)) + shape + _int_field(0x10, tensor.dtype)
            + b"\x1a" + encode_varint(data_length))


def encode_scalars(step: int, epoch: int, split: int, values: Dict[str, float]) -> bytes:
    """The serialized Scalars message (proto3 encoding, fields in number order: step 2,
    epoch 3, split 4, values 5), as pb.Scalars(...).SerializeToString() would give it up to
    the order of the map entries; built without protobuf objects, since one is sent per
    epoch and split."""
    parts = []
    if step:
        parts.append(b"\x10" + encode_varint(step & _INT64_MASK))
    if epoch:
        parts.append(b"\x18" + encode_varint(epoch & _INT64_MASK))
    if split:
        parts.append(b"\x20" + encode_varint(split))
    for name, value in values.items():
        parts.append(_scalar_entry_head(name) + _pack_double(value))
    return b"".join(parts)


@dataclass(frozen=True)
class LayerPayload:
    """One layer (or the inputs, or the labels) of a snapshot record."""

    layer: str
    role: int
    values: WireArray


@dataclass(frozen=True)
class SnapshotRecord:
    """The layers logged by one call (one layer for log_activations, a whole frame for
    log_frame). Queued, sent or dropped as a unit, so a frame never arrives half-logged
    because the queue was full."""

    step: int
    epoch: int
    split: int
    layers: Tuple[LayerPayload, ...]
    sample_ids: WireArray
    frame_layer_count: int
    #: Called on the sender thread once every message is written (borrowed frames' `release`).
    release: Optional[Callable[[], Any]] = None

    @property
    def nbytes(self) -> int:
        return self.sample_ids.nbytes + sum(p.values.nbytes for p in self.layers)

    def _ranges(self, payload: LayerPayload, budget: int):
        return row_ranges(payload.values.rows, payload.values.row_bytes + self.sample_ids.row_bytes, budget)

    def message_count(self, budget: int) -> int:
        return sum(len(self._ranges(p, budget)) for p in self.layers)

    @property
    def largest_row_bytes(self) -> int:
        """Bytes of the widest single row (values and sample id): no chunk can be smaller."""
        return max(p.values.row_bytes for p in self.layers) + self.sample_ids.row_bytes

    def wire_bodies(self, budget: int) -> Iterator[Tuple[bytes, List, int]]:
        """(ClientMessage field key, the serialized Snapshot as a list of buffers, its
        length) of each chunk, in the order of `messages`. Equal to the Snapshot messages'
        encoding, but built by hand so that the tensor bytes are never copied: they are
        views of the queued arrays, written to the socket as they are."""
        ids = self.sample_ids
        ids_bytes = ids.array.reshape(-1).view(np.uint8)
        ids_row = ids.row_bytes
        common = _int_field(0x10, self.step) + _int_field(0x18, self.epoch) + _int_field(0x20, self.split)
        for payload in self.layers:
            values = payload.values
            values_bytes = values.array.reshape(-1).view(np.uint8)
            values_row = values.row_bytes
            head = common + _string_field(0x2a, payload.layer) + _int_field(0x30, payload.role)
            tail_common = _int_field(0x58, self.frame_layer_count)
            ranges = self._ranges(payload, budget)
            count = _int_field(0x50, len(ranges))
            for index, (lo, hi) in enumerate(ranges):
                ids_data = ids_bytes[lo * ids_row:hi * ids_row]
                values_data = values_bytes[lo * values_row:hi * values_row]
                ids_head = _tensor_head(ids, hi - lo, len(ids_data))
                values_head = _tensor_head(values, hi - lo, len(values_data))
                first = (head + b"\x3a" + encode_varint(len(ids_head) + len(ids_data)) + ids_head)
                second = b"\x42" + encode_varint(len(values_head) + len(values_data)) + values_head
                tail = _int_field(0x48, index) + count + tail_common
                parts = [first, ids_data, second, values_data, tail]
                yield SNAPSHOT_KEY, parts, sum(len(p) for p in parts)

    def messages(self, budget: int) -> Iterator[pb.Snapshot]:
        """Snapshot messages, each layer split by rows so that a chunk's tensor bytes stay
        within `budget`. Built lazily: one chunk's bytes exist at a time."""
        for payload in self.layers:
            ranges = self._ranges(payload, budget)
            for index, (lo, hi) in enumerate(ranges):
                yield pb.Snapshot(
                    step=self.step,
                    epoch=self.epoch,
                    split=self.split,
                    layer=payload.layer,
                    role=payload.role,
                    sample_ids=self.sample_ids.tensor(lo, hi),
                    values=payload.values.tensor(lo, hi),
                    chunk_index=index,
                    chunk_count=len(ranges),
                    frame_layer_count=self.frame_layer_count,
                )


@dataclass(frozen=True)
class BorrowedLayer:
    """One layer of a BorrowedFrameRecord: the caller's array or tensor, not yet encoded,
    with what it will weigh once it is (known from its shape and dtype alone)."""

    layer: str
    role: int
    values: Any
    send_dtype: Any
    rows: int
    row_bytes: int

    @staticmethod
    def of(layer: str, role: int, values: Any, send_dtype: Any) -> "BorrowedLayer":
        shape = tuple(int(d) for d in values.shape)
        if not shape:
            raise ValueError(f"layer {layer!r} is a scalar; give an array with one row per sample")
        features = 1
        for d in shape[1:]:
            features *= d
        return BorrowedLayer(layer, role, values, send_dtype, shape[0],
                             features * wire_item_size(values, role, send_dtype))


class BorrowedFrameRecord:
    """A probe frame handed over without copying (Monitor.log_frame(borrow=True)): the
    arrays are the caller's (torch tensors on the CPU, or pinned host buffers that
    non-blocking device copies are still filling). The sender thread calls `resolve()`,
    which waits for `ready` (a CUDA event's synchronize), then converts, checks and encodes
    the values into a SnapshotRecord; the training thread never pays for that. Before it is
    resolved its size and message count come from the shapes and dtypes."""

    __slots__ = ("step", "epoch", "split", "layers", "sample_ids", "ready", "release", "nbytes", "largest_row_bytes")

    def __init__(self, step: int, epoch: int, split: int, layers: Tuple[BorrowedLayer, ...], sample_ids: WireArray,
                 ready: Optional[Callable[[], Any]], release: Optional[Callable[[], Any]] = None) -> None:
        self.step = step
        self.epoch = epoch
        self.split = split
        self.layers = layers
        self.sample_ids = sample_ids
        self.ready = ready
        self.release = release
        self.nbytes = sample_ids.nbytes + sum(p.rows * p.row_bytes for p in layers)
        self.largest_row_bytes = max(p.row_bytes for p in layers) + sample_ids.row_bytes

    def message_count(self, budget: int) -> int:
        ids_row = self.sample_ids.row_bytes
        return sum(len(row_ranges(p.rows, p.row_bytes + ids_row, budget)) for p in self.layers)

    def resolve(self) -> SnapshotRecord:
        """Waits for the data (`ready`), then encodes it: a SnapshotRecord of the same
        messages. Raises NonFiniteValues (a ValueError) if a layer holds NaN or infinity."""
        if self.ready is not None:
            self.ready()
        payloads = tuple(
            LayerPayload(p.layer, p.role, encode_values(p.values, p.role, p.send_dtype, what=f"layer {p.layer!r}", copy=False))
            for p in self.layers)
        return SnapshotRecord(self.step, self.epoch, self.split, payloads, self.sample_ids, len(payloads), self.release)


class ScalarsRecord:
    """Scalar metrics of one step and split. A plain slotted class rather than a frozen
    dataclass: one is made per log_scalars call, on the training thread."""

    __slots__ = ("step", "epoch", "split", "values", "nbytes")
    largest_row_bytes = 0

    def __init__(self, step: int, epoch: int, split: int, values: Dict[str, float]) -> None:
        self.step = step
        self.epoch = epoch
        self.split = split
        self.values = values
        self.nbytes = 64 + 24 * len(values)

    def __repr__(self) -> str:
        return f"ScalarsRecord(step={self.step}, epoch={self.epoch}, split={self.split}, values={self.values})"

    def message_count(self, budget: int) -> int:
        return 1

    def messages(self, budget: int) -> Iterator[pb.Scalars]:
        yield pb.Scalars(step=self.step, epoch=self.epoch, split=self.split, values=self.values)

    def wire_bodies(self, budget: int) -> Iterator[Tuple[bytes, List, int]]:
        body = encode_scalars(self.step, self.epoch, self.split, self.values)
        yield SCALARS_KEY, [body], len(body)


Record = Union[SnapshotRecord, ScalarsRecord, BorrowedFrameRecord]
