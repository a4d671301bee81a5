"""What the training thread queues for the sender: immutable records that turn into wire
messages (chunked by rows) only on the sender thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterator, Tuple, Union

from ._proto.infoplane.v1 import infoplane_pb2 as pb
from ._tensors import WireArray, row_ranges


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
class ScalarsRecord:
    """Scalar metrics of one step and split."""

    step: int
    epoch: int
    split: int
    values: Dict[str, float]

    @property
    def nbytes(self) -> int:
        return 64 + sum(len(k) + 16 for k in self.values)

    def message_count(self, budget: int) -> int:
        return 1

    def messages(self, budget: int) -> Iterator[pb.Scalars]:
        yield pb.Scalars(step=self.step, epoch=self.epoch, split=self.split, values=self.values)


Record = Union[SnapshotRecord, ScalarsRecord]
