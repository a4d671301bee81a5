"""Reading the counting sink's report, and computing independently the checksum it should
hold for data we sent.

The sink's checksum of a snapshot is the sum (mod 2^64) over rows of FNV-1a-64 over the
row's sample id (8 little-endian bytes) followed by each value: a float value as the 32-bit
pattern of the Float the daemon decoded (F16/BF16/F64 widened or rounded to binary32),
zero-extended to 8 bytes; an integer value (labels) as its 64-bit pattern. Rows are
independent, so the sum does not depend on chunking or row order.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import numpy as np

FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)


def _mix(h: np.ndarray, words: np.ndarray) -> np.ndarray:
    for _ in range(8):
        h = (h ^ (words & np.uint64(0xFF))) * FNV_PRIME
        words = words >> np.uint64(8)
    return h


def sink_checksum(sample_ids: np.ndarray, values: np.ndarray) -> int:
    """Expected checksum for rows `sample_ids` holding `values` as the daemon decoded them:
    float32 array [rows, columns] (or [rows]) for floats, int64 [rows] for labels."""
    ids = np.asarray(sample_ids, dtype=np.int64).view(np.uint64)
    values = np.asarray(values)
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    if values.dtype == np.float32:
        words = values.view(np.uint32).astype(np.uint64)
    elif values.dtype == np.int64:
        words = values.view(np.uint64)
    else:
        raise TypeError("pass the values as the daemon decoded them: float32 or int64")
    with np.errstate(over="ignore"):
        h = np.full(ids.shape[0], FNV_OFFSET, dtype=np.uint64)
        h = _mix(h, ids)
        for column in range(words.shape[1]):
            h = _mix(h, words[:, column].copy())
        return int(np.sum(h, dtype=np.uint64))


Key = Tuple[str, str, str, int]


def tallies_by_key(report: dict) -> Dict[Key, dict]:
    """{(run, layer, split, step): tally} from a counting-sink report."""
    return {(t["run"], t["layer"], t["split"], int(t["step"])): t for t in report["tallies"]}


def tally_checksum(tally: dict) -> int:
    """The tally's checksum as an integer (the report writes it as hex text)."""
    value = tally["checksum"]
    return int(value, 16) if isinstance(value, str) else int(value)


def scalars_of(report: dict, run: str) -> List[dict]:
    return [s for s in report["scalars"] if s["run"] == run]
