"""Reductions of one layer's activations to one row of features per probe sample.

A probe frame holds, for every watched layer, a matrix [samples, features]. Dense layers
already are one; a conv layer's output is [N, C, H, W] (channels first, as in PyTorch) and a
transformer block's is [N, T, D] (tokens, then features). A reduction says how such an
output becomes [N, features]:

| reduction | input | features | what it keeps |
|---|---|---|---|
| `flatten` | any | product of the dims after N | everything (C*H*W, T*D) |
| `channel_mean` | [N, C, ...] | C | each channel's mean over its positions (global average pooling) |
| `tokens_mean` | [N, T, D] | D | the mean over tokens; over the non-padding tokens when the probe inputs carry an `attention_mask` |
| `cls` | [N, T, D] | D | the first token (BERT's [CLS], ViT's class token) |
| `random_projection(dim, seed)` | any | dim | the flattened row times a fixed Gaussian matrix [F, dim] / sqrt(dim) |

Every reduction runs on the tensor's own device (the training GPU) inside the forward
hook, before anything is copied to the host: only the reduced rows cross the bus. The
random projection's matrix is drawn once per (features, seed) from a seeded CPU generator,
so every run, rank and device with the same seed projects with the same matrix (distances
are preserved in expectation: Johnson-Lindenstrauss).

`auto` (the default) keeps a 2-D output as it is and flattens larger outputs while the
whole frame (every layer, the inputs and the labels, at the bytes per value they are sent
with) fits the frame budget: the daemon's `max_message_bytes` (from its Welcome, 64 MiB
before the first connection) — a connection assembles one frame at a time within that
budget, and the client's queue (64 MiB by default) holds a frame whole. If flattening does
not fit, the largest `auto` layers are reduced one at a time, largest flattened size first,
until the frame fits: 4-D and larger outputs by `channel_mean`, 3-D outputs by
`tokens_mean`. The choice is made once, at the first probe, and kept for the whole run, so
a layer's width never changes between frames (the plane compares them).

torch is not imported here; the reductions call the tensor's own methods.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, Optional, Tuple, Union


class Reduction:
    """How one layer's output [N, ...] becomes [N, features]. Use the module-level
    instances (`flatten`, `channel_mean`, `tokens_mean`, `cls`) or `random_projection`."""

    name = "reduction"

    def features(self, shape: Tuple[int, ...]) -> int:
        """Features per sample that an output of `shape` (N first) reduces to."""
        raise NotImplementedError

    def apply(self, output: Any, mask: Any = None) -> Any:
        """The reduced tensor [N, features], computed on the output's device. `mask` is the
        probe batch's attention mask [N, T] (1 = real token) when it has one."""
        raise NotImplementedError

    def _need(self, output: Any, ndim: int, what: str) -> None:
        if output.dim() != ndim:
            raise ValueError(f"the {self.name} reduction needs {what} ({ndim}-D) outputs, not shape {list(output.shape)}")

    def __repr__(self) -> str:
        return self.name


class _Flatten(Reduction):
    name = "flatten"

    def features(self, shape: Tuple[int, ...]) -> int:
        count = 1
        for d in shape[1:]:
            count *= int(d)
        return count

    def apply(self, output: Any, mask: Any = None) -> Any:
        return output.reshape(output.shape[0], -1)


class _ChannelMean(Reduction):
    name = "channel_mean"

    def features(self, shape: Tuple[int, ...]) -> int:
        if len(shape) < 3:
            raise ValueError(f"the channel_mean reduction needs [N, C, ...] outputs with positions, not shape {list(shape)}")
        return int(shape[1])

    def apply(self, output: Any, mask: Any = None) -> Any:
        if output.dim() < 3:
            raise ValueError(f"the channel_mean reduction needs [N, C, ...] outputs with positions, not shape {list(output.shape)}")
        return output.reshape(output.shape[0], output.shape[1], -1).mean(dim=2)


class _TokensMean(Reduction):
    name = "tokens_mean"

    def features(self, shape: Tuple[int, ...]) -> int:
        if len(shape) != 3:
            raise ValueError(f"the tokens_mean reduction needs [N, T, D] (3-D) outputs, not shape {list(shape)}")
        return int(shape[2])

    def apply(self, output: Any, mask: Any = None) -> Any:
        self._need(output, 3, "[N, T, D]")
        if mask is None or tuple(mask.shape) != tuple(output.shape[:2]):
            return output.mean(dim=1)
        weights = mask.to(device=output.device, dtype=output.dtype).unsqueeze(-1)
        # A sample without any real token (all padding) averages nothing: clamp keeps it 0, not NaN.
        return (output * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1)


class _Cls(Reduction):
    name = "cls"

    def features(self, shape: Tuple[int, ...]) -> int:
        if len(shape) != 3:
            raise ValueError(f"the cls reduction needs [N, T, D] (3-D) outputs, not shape {list(shape)}")
        return int(shape[2])

    def apply(self, output: Any, mask: Any = None) -> Any:
        self._need(output, 3, "[N, T, D]")
        return output[:, 0, :]


class RandomProjection(Reduction):
    """The flattened row times a fixed Gaussian matrix R [F, dim] with entries N(0, 1/dim),
    drawn from `seed`: dim features whatever the layer's size, computed on the device."""

    def __init__(self, dim: int, seed: int = 0) -> None:
        if not isinstance(dim, int) or dim < 1:
            raise ValueError(f"random_projection needs a positive integer dim, not {dim!r}")
        self.dim = dim
        self.seed = int(seed)
        self.name = f"random_projection({dim}, seed={self.seed})"
        self._matrices: Dict[Tuple[int, Any, Any], Any] = {}

    def features(self, shape: Tuple[int, ...]) -> int:
        return self.dim

    def matrix(self, features: int, device: Any = None, dtype: Any = None) -> Any:
        """R for rows of `features` values, on `device` in `dtype` (cached: drawn once on the
        CPU from the seed, so identical on every device and rank, then moved)."""
        key = (features, str(device), dtype)
        cached = self._matrices.get(key)
        if cached is None:
            torch = sys.modules["torch"]
            generator = torch.Generator().manual_seed(self.seed)
            r = torch.randn(features, self.dim, generator=generator, dtype=torch.float32) / (self.dim ** 0.5)
            cached = self._matrices[key] = r.to(device=device, dtype=dtype)
        return cached

    def apply(self, output: Any, mask: Any = None) -> Any:
        rows = output.reshape(output.shape[0], -1)
        return rows @ self.matrix(int(rows.shape[1]), rows.device, rows.dtype)


flatten = _Flatten()
channel_mean = _ChannelMean()
tokens_mean = _TokensMean()
cls = _Cls()


def random_projection(dim: int, seed: int = 0) -> RandomProjection:
    """A seeded random projection to `dim` features (see the module's docstring)."""
    return RandomProjection(dim, seed)


_BY_NAME = {r.name: r for r in (flatten, channel_mean, tokens_mean, cls)}

#: `auto`: decided per layer at the first probe (see the module's docstring).
AUTO = "auto"

ReductionSpec = Union[str, Reduction]


def resolve(spec: Optional[ReductionSpec]) -> Union[str, Reduction]:
    """A Reduction, or AUTO, from a name or an instance (None means auto)."""
    if spec is None or spec == AUTO:
        return AUTO
    if isinstance(spec, Reduction):
        return spec
    if isinstance(spec, str) and spec in _BY_NAME:
        return _BY_NAME[spec]
    raise ValueError(f"unknown reduction {spec!r}; use 'auto', 'flatten', 'channel_mean', 'tokens_mean', 'cls' "
                     "or infoplane.reductions.random_projection(dim, seed)")


def structural(shape: Tuple[int, ...]) -> Reduction:
    """The reduction `auto` falls back to for an output of `shape`: channel_mean for 4-D and
    larger (conv maps), tokens_mean for 3-D (token sequences), flatten otherwise."""
    if len(shape) >= 4:
        return channel_mean
    if len(shape) == 3:
        return tokens_mean
    return flatten


def choose_auto(shapes: Dict[str, Tuple[int, ...]], rows: int, value_bytes: Dict[str, int], other_bytes: int,
                budget: int) -> Dict[str, Reduction]:
    """Reductions for the `auto` layers `shapes` (each one's output shape for a probe batch,
    N first) such that the frame — `rows` times each layer's features times its
    `value_bytes`, plus `other_bytes` (inputs, labels, sample ids, layers with reductions of
    their own) — stays within `budget` bytes. Starts from flatten (2-D outputs stay as they
    are); reduces the reducible layer that is largest at that moment first, until the frame
    fits or nothing is left to reduce (then the frame is larger than the budget)."""
    chosen: Dict[str, Reduction] = {name: flatten for name in shapes}

    def size(name: str) -> int:
        return rows * chosen[name].features(shapes[name]) * value_bytes[name]

    total = other_bytes + sum(size(name) for name in shapes)
    while total > budget:
        candidates = [n for n in chosen if chosen[n] is flatten and structural(shapes[n]) is not flatten]
        if not candidates:
            break
        name = max(candidates, key=size)
        before = size(name)
        chosen[name] = structural(shapes[name])
        total -= before - size(name)
    return chosen
