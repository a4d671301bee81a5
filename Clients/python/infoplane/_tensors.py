"""Turning numpy arrays and torch tensors into the wire's dense little-endian tensors.

Everything here works on whole arrays (numpy vectorised operations); nothing loops over
elements in Python. torch is never imported: a tensor is recognised by its type's module and
converted through its own methods.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

import numpy as np

from ._proto.infoplane.v1 import infoplane_pb2 as pb

ROLE_NAMES = {
    "input": pb.ROLE_INPUT,
    "inputs": pb.ROLE_INPUT,
    "hidden": pb.ROLE_HIDDEN,
    "output": pb.ROLE_OUTPUT,
    "label": pb.ROLE_LABEL,
    "labels": pb.ROLE_LABEL,
}

SPLIT_NAMES = {
    "train": pb.SPLIT_TRAIN,
    "training": pb.SPLIT_TRAIN,
    "validation": pb.SPLIT_VALIDATION,
    "val": pb.SPLIT_VALIDATION,
    "valid": pb.SPLIT_VALIDATION,
    "test": pb.SPLIT_VALIDATION,
    "probe": pb.SPLIT_PROBE,
}

#: Bytes per element of each wire dtype.
ITEM_SIZE = {pb.DTYPE_F32: 4, pb.DTYPE_F16: 2, pb.DTYPE_BF16: 2, pb.DTYPE_F64: 8, pb.DTYPE_I32: 4, pb.DTYPE_I64: 8}

_FLOAT_DTYPES = {
    np.dtype(np.float16): pb.DTYPE_F16,
    np.dtype(np.float32): pb.DTYPE_F32,
    np.dtype(np.float64): pb.DTYPE_F64,
}

_DTYPE_REQUESTS = {
    "f16": pb.DTYPE_F16, "float16": pb.DTYPE_F16, "half": pb.DTYPE_F16,
    "bf16": pb.DTYPE_BF16, "bfloat16": pb.DTYPE_BF16,
    "f32": pb.DTYPE_F32, "float32": pb.DTYPE_F32, "float": pb.DTYPE_F32,
    "f64": pb.DTYPE_F64, "float64": pb.DTYPE_F64, "double": pb.DTYPE_F64,
}

_NUMPY_OF_WIRE = {
    pb.DTYPE_F16: np.dtype("<f2"),
    pb.DTYPE_F32: np.dtype("<f4"),
    pb.DTYPE_F64: np.dtype("<f8"),
    pb.DTYPE_BF16: np.dtype("<u2"),  # raw bfloat16 bit patterns
    pb.DTYPE_I32: np.dtype("<i4"),
    pb.DTYPE_I64: np.dtype("<i8"),
}


class NonFiniteValues(ValueError):
    """The values contain NaN or infinity, which the daemon refuses."""


def role_code(role: Any) -> int:
    if isinstance(role, str):
        try:
            return ROLE_NAMES[role.lower()]
        except KeyError:
            raise ValueError(f"unknown role {role!r}; use one of 'input', 'hidden', 'output', 'label'") from None
    if role in (pb.ROLE_INPUT, pb.ROLE_HIDDEN, pb.ROLE_OUTPUT, pb.ROLE_LABEL):
        return int(role)
    raise ValueError(f"unknown role {role!r}; use one of 'input', 'hidden', 'output', 'label'")


def split_code(split: Any) -> int:
    if isinstance(split, str):
        try:
            return SPLIT_NAMES[split.lower()]
        except KeyError:
            raise ValueError(f"unknown split {split!r}; use 'train', 'validation' or 'probe'") from None
    if split in (pb.SPLIT_TRAIN, pb.SPLIT_VALIDATION, pb.SPLIT_PROBE):
        return int(split)
    raise ValueError(f"unknown split {split!r}; use 'train', 'validation' or 'probe'")


def wire_dtype_code(requested: Any) -> int:
    if isinstance(requested, str) and requested.lower() in _DTYPE_REQUESTS:
        return _DTYPE_REQUESTS[requested.lower()]
    try:
        return _FLOAT_DTYPES[np.dtype(requested)]
    except (TypeError, KeyError):
        raise ValueError(f"cannot send values as {requested!r}; use 'f16', 'bf16', 'f32' or 'f64'") from None


@dataclass(frozen=True)
class WireArray:
    """A private, C-contiguous, little-endian copy of an array, ready to be cut into rows.

    `array` holds the wire's element type (bfloat16 as its uint16 bit patterns); its first
    dimension is the rows, and values carry one more dimension (the flattened features).
    """

    dtype: int
    array: np.ndarray

    @property
    def rows(self) -> int:
        return int(self.array.shape[0])

    @property
    def row_bytes(self) -> int:
        return int(self.array.strides[0]) if self.array.ndim else 0

    @property
    def nbytes(self) -> int:
        return int(self.array.nbytes)

    def tensor(self, lo: int, hi: int) -> pb.Tensor:
        part = self.array[lo:hi]
        return pb.Tensor(shape=list(part.shape), dtype=self.dtype, data=part.tobytes())


def _is_torch_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def _from_torch(tensor: Any) -> Tuple[np.ndarray, bool]:
    """A numpy array holding the tensor's data; bfloat16 comes back as uint16 bit patterns (True)."""
    torch = sys.modules["torch"]
    t = tensor.detach()
    if t.dtype == torch.bfloat16:
        return t.cpu().contiguous().view(torch.int16).numpy().view(np.uint16), True
    return t.cpu().numpy(), False


def _as_numpy(values: Any) -> Tuple[np.ndarray, bool]:
    """(array, is_bf16_bits) without copying when the input already is a suitable array."""
    if _is_torch_tensor(values):
        return _from_torch(values)
    arr = np.asarray(values)
    if arr.dtype.name == "bfloat16":  # ml_dtypes / jax bfloat16 numpy arrays
        return arr.view(np.uint16), True
    return arr, False


def _f32_to_bf16_bits(arr: np.ndarray) -> np.ndarray:
    """Rounds float32 to bfloat16 (to nearest, ties to even) and returns the bit patterns."""
    with np.errstate(over="ignore"):  # beyond float32's range: inf, refused by the finiteness check
        bits = np.ascontiguousarray(arr, dtype=np.float32).view(np.uint32)
    rounding = ((bits >> 16) & 1) + np.uint32(0x7FFF)
    return ((bits + rounding) >> 16).astype(np.uint16)


def _bf16_bits_to_f32(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


def _check_finite(arr: np.ndarray, is_bf16: bool, what: str) -> None:
    if is_bf16:
        bad = (arr & np.uint16(0x7F80)) == np.uint16(0x7F80)
        if bad.any():
            raise NonFiniteValues(f"{what} contains NaN or infinity at flat index {int(np.argmax(bad.ravel()))}")
    elif not np.isfinite(arr).all():
        index = int(np.argmax(~np.isfinite(arr).ravel()))
        raise NonFiniteValues(f"{what} contains NaN or infinity at flat index {index}")


def encode_values(values: Any, role: int, send_dtype: Any = None, what: str = "values", copy: bool = True) -> WireArray:
    """Copies activations (or inputs, or labels) into wire form.

    Floats keep their precision (float16 -> F16, bfloat16 -> BF16, float32 -> F32,
    float64 -> F64) unless `send_dtype` asks for another; integer and boolean inputs become
    F32 (they are values, not labels). Rows are the first dimension, features are flattened.
    Labels (role LABEL) must be integers (or integral floats) with shape [rows] or [rows, 1]
    and become I64.

    `copy=False` reuses the values' memory when it already is in wire form (for buffers the
    caller hands over and never touches again, see Monitor.log_frame's `borrow`).

    Raises ValueError (NonFiniteValues for NaN/inf) on data the daemon would refuse.
    """
    arr, is_bf16 = _as_numpy(values)
    make = np.array if copy else _no_copy
    if arr.ndim == 0:
        raise ValueError(f"{what} is a scalar; give an array with one row per sample")
    rows = int(arr.shape[0])
    if rows == 0:
        raise ValueError(f"{what} has no rows")

    if role == pb.ROLE_LABEL:
        if arr.ndim > 2 or (arr.ndim == 2 and arr.shape[1] != 1):
            raise ValueError(f"{what} (labels) must have shape [rows] or [rows, 1], not {list(arr.shape)}")
        if is_bf16:
            arr = _bf16_bits_to_f32(arr)
        arr = arr.reshape(rows)
        if arr.dtype.kind == "f":
            if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
                raise ValueError(f"{what} (labels) must be integer class indices")
        elif arr.dtype.kind not in "iub":
            raise ValueError(f"{what} (labels) must be integer class indices, not {arr.dtype}")
        return WireArray(pb.DTYPE_I64, make(arr, dtype="<i8", order="C", copy=True))

    arr = arr.reshape(rows, -1) if arr.ndim != 2 else arr
    if send_dtype is not None:
        wire = wire_dtype_code(send_dtype)
    elif is_bf16:
        wire = pb.DTYPE_BF16
    elif arr.dtype.kind in "iub":
        wire = pb.DTYPE_F32
    elif arr.dtype.kind == "f" and np.dtype(arr.dtype.newbyteorder("=")) in _FLOAT_DTYPES:
        wire = _FLOAT_DTYPES[np.dtype(arr.dtype.newbyteorder("="))]
    else:
        raise ValueError(f"{what} has dtype {arr.dtype}; send float16, bfloat16, float32 or float64 values")

    if wire == pb.DTYPE_BF16:
        if is_bf16:
            out = make(arr, dtype="<u2", order="C", copy=True)
        else:
            out = _f32_to_bf16_bits(arr)
    else:
        source = _bf16_bits_to_f32(arr) if is_bf16 else arr
        with np.errstate(over="ignore"):  # values beyond the wire type's range become inf, refused below
            out = make(source, dtype=_NUMPY_OF_WIRE[wire], order="C", copy=True)
    _check_finite(out, wire == pb.DTYPE_BF16, what)
    return WireArray(wire, out)


def _no_copy(arr: Any, dtype: Any, order: str, copy: bool) -> np.ndarray:
    """np.array's signature for encode_values, converting (and so copying) only if needed."""
    return np.ascontiguousarray(arr, dtype=dtype)


def wire_item_size(values: Any, role: int, send_dtype: Any = None) -> int:
    """Bytes per value that encode_values will send `values` (a numpy array or a torch
    tensor) as, from its dtype alone: what a frame will weigh before it is encoded."""
    if role == pb.ROLE_LABEL:
        return ITEM_SIZE[pb.DTYPE_I64]
    if send_dtype is not None:
        return ITEM_SIZE[wire_dtype_code(send_dtype)]
    dtype = values.dtype if hasattr(values, "dtype") else np.asarray(values).dtype
    name = str(dtype).replace("torch.", "")
    sizes = {"float16": 2, "half": 2, "bfloat16": 2, "float32": 4, "float": 4, "float64": 8, "double": 8}
    return sizes.get(name, ITEM_SIZE[pb.DTYPE_F32])  # integers and booleans go as F32


def encode_sample_ids(sample_ids: Optional[Any], rows: int) -> WireArray:
    """Sample ids as I64, one per row and unique; None means 0..rows-1."""
    if sample_ids is None:
        return WireArray(pb.DTYPE_I64, np.arange(rows, dtype="<i8"))
    arr, is_bf16 = _as_numpy(sample_ids)
    if is_bf16 or arr.dtype.kind not in "iu":
        raise ValueError(f"sample_ids must be integers, not {arr.dtype}")
    arr = arr.reshape(-1)
    if arr.shape[0] != rows:
        raise ValueError(f"sample_ids has {arr.shape[0]} entries but the values have {rows} rows")
    ids = np.array(arr, dtype="<i8", order="C", copy=True)
    if np.unique(ids).shape[0] != rows:
        raise ValueError("sample_ids must be unique within a frame")
    return WireArray(pb.DTYPE_I64, ids)


def row_ranges(rows: int, bytes_per_row: int, budget: int) -> List[Tuple[int, int]]:
    """Splits `rows` into consecutive [lo, hi) ranges of at most `budget` bytes each
    (at least one row per range). An empty row set gives no ranges."""
    if rows <= 0:
        return []
    per_chunk = max(1, budget // max(1, bytes_per_row))
    return [(lo, min(rows, lo + per_chunk)) for lo in range(0, rows, per_chunk)]


def decode_tensor(tensor: pb.Tensor) -> np.ndarray:
    """Inverse of the encoding, for tests and tools: F16/F32/F64/I32/I64 as such, BF16 as float32."""
    dtype = _NUMPY_OF_WIRE[tensor.dtype]
    arr = np.frombuffer(tensor.data, dtype=dtype).reshape(list(tensor.shape))
    if tensor.dtype == pb.DTYPE_BF16:
        return _bf16_bits_to_f32(arr)
    return arr
