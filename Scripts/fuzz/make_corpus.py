#!/usr/bin/env python3
"""Write the seed corpus of the ingest fuzz test (Tests/InfoplaneServerTests/FrameDecoderFuzzTests.swift).

Run from the repository root:  python3 Scripts/fuzz/make_corpus.py [--out DIR]
Output: Tests/InfoplaneServerTests/FuzzCorpus/*.bin, each one byte stream as a client sends it:
ClientMessages, each preceded by its length as an unsigned varint (the protobuf "delimited"
form). The messages are built with the Python client's generated protobuf module, an encoder
independent of the Swift code under test. What each file must yield is asserted by the Swift
test (`FrameDecoderFuzzTests.corpusExpectations`); a file added here needs an entry there.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Clients", "python"))
from infoplane._proto.infoplane.v1 import infoplane_pb2 as pb  # noqa: E402

PROTOCOL_VERSION = 1  # Sources/InfoplaneProtocol/ProtocolVersion.swift
RUN = "fuzz"          # the run the Swift harness validates against


def varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def frame(message: pb.ClientMessage) -> bytes:
    body = message.SerializeToString()
    return varint(len(body)) + body


def hello(sequence: int = 1) -> bytes:
    m = pb.ClientMessage(sequence=sequence)
    m.hello.protocol_version = PROTOCOL_VERSION
    m.hello.client_name = "fuzz-corpus"
    m.hello.run_name = RUN
    return frame(m)


def floats(n: int, scale: float = 0.25) -> list[float]:
    return [((i * 37) % 101 - 50) * scale for i in range(n)]


def tensor(t: pb.Tensor, shape: list[int], dtype: int, data: bytes) -> None:
    t.shape.extend(shape)
    t.dtype = dtype
    t.data = data


def snapshot_message(sequence: int = 2, rows: int = 8, columns: int = 4, dtype: int = pb.DTYPE_F32,
                     step: int = 1, layer: str = "fc1", role: int = pb.ROLE_HIDDEN) -> pb.ClientMessage:
    m = pb.ClientMessage(sequence=sequence)
    s = m.snapshot
    s.step = step
    s.epoch = 0
    s.split = pb.SPLIT_PROBE
    s.layer = layer
    s.role = role
    s.chunk_index = 0
    s.chunk_count = 1
    s.frame_layer_count = 1
    values = floats(rows * columns)
    if dtype == pb.DTYPE_F32:
        data = struct.pack(f"<{len(values)}f", *values)
    elif dtype == pb.DTYPE_F64:
        data = struct.pack(f"<{len(values)}d", *values)
    elif dtype == pb.DTYPE_F16:
        data = struct.pack(f"<{len(values)}e", *values)
    elif dtype == pb.DTYPE_BF16:
        data = b"".join(struct.pack("<f", v)[2:] for v in values)
    else:
        raise ValueError(dtype)
    tensor(s.values, [rows, columns], dtype, data)
    tensor(s.sample_ids, [rows], pb.DTYPE_I64, struct.pack(f"<{rows}q", *range(rows)))
    return m


def snapshot(**kwargs) -> bytes:
    return frame(snapshot_message(**kwargs))


def labels(sequence: int = 2, rows: int = 8) -> bytes:
    m = pb.ClientMessage(sequence=sequence)
    s = m.snapshot
    s.step = 1
    s.layer = "labels"
    s.role = pb.ROLE_LABEL
    s.chunk_count = 1
    tensor(s.values, [rows], pb.DTYPE_I32, struct.pack(f"<{rows}i", *[i % 3 for i in range(rows)]))
    tensor(s.sample_ids, [rows], pb.DTYPE_I32, struct.pack(f"<{rows}i", *range(rows)))
    return frame(m)


def scalars(sequence: int = 2, **values: float) -> bytes:
    m = pb.ClientMessage(sequence=sequence)
    m.scalars.step = 1
    m.scalars.split = pb.SPLIT_TRAIN
    for k, v in values.items():
        m.scalars.values[k] = v
    return frame(m)


def edited(edit, sequence: int = 2, **kwargs) -> bytes:
    """A valid snapshot with `edit(snapshot)` applied."""
    m = snapshot_message(sequence=sequence, **kwargs)
    edit(m.snapshot)
    return frame(m)


def shape_overflow(s: pb.Snapshot) -> None:
    # Issue 13 item 1: 1 * 4294967295 * 4294967295 overflows Int64; the daemon trapped.
    s.ClearField("values")
    tensor(s.values, [1, 4294967295, 4294967295], pb.DTYPE_F32, struct.pack("<f", 0.5))
    s.ClearField("sample_ids")
    tensor(s.sample_ids, [1], pb.DTYPE_I64, struct.pack("<q", 0))


def set_shape(shape):
    def edit(s):
        del s.values.shape[:]
        s.values.shape.extend(shape)
    return edit


def drop_last_byte(s):
    s.values.data = s.values.data[:-1]


def nan_value(s):
    s.values.data = s.values.data[:4] + struct.pack("<f", float("nan")) + s.values.data[8:]


def repeated_ids(s):
    s.sample_ids.data = struct.pack("<8q", 0, 1, 2, 3, 4, 5, 6, 3)


def bad_chunk(s):
    s.chunk_index = 2
    s.chunk_count = 2


def negative_step(s):
    s.step = -1


def no_dtype(s):
    s.values.dtype = pb.DTYPE_UNSPECIFIED


def other_run(s):
    s.run = "someone-else"


def chunk(index: int, count: int, first_id: int):
    def edit(s):
        s.chunk_index = index
        s.chunk_count = count
        s.sample_ids.data = struct.pack("<8q", *range(first_id, first_id + 8))
    return edit


def repeated_values_field() -> bytes:
    """A Snapshot whose `values` field occurs twice: protobuf merges the two (shape
    concatenates, data is the last one's), so the values splitter must leave the frame to
    the full decoder. Merged: shape [32, 32], F32, 4096 bytes."""
    m = snapshot_message(rows=32, columns=32)
    s = m.snapshot
    data = s.values.data
    s.ClearField("values")
    first = pb.Tensor(shape=[32], dtype=pb.DTYPE_F32, data=bytes(4))
    second = pb.Tensor(shape=[32], data=data)
    body = s.SerializeToString()
    for t in (first, second):
        payload = t.SerializeToString()
        body += varint(8 << 3 | 2) + varint(len(payload)) + payload
    message = varint(1 << 3 | 0) + varint(2) + varint(11 << 3 | 2) + varint(len(body)) + body
    return varint(len(message)) + message


def malformed() -> bytes:
    # sequence = 2, then field 11 (snapshot) announcing 50 bytes of which 3 are there.
    body = bytes([0x08, 0x02, 0x5A, 50, 0x10, 0x01, 0x2A])
    return varint(len(body)) + body


def unknown_field() -> bytes:
    body = bytes([0x08, 0x02, 0x98, 0x06, 0x01])  # sequence 2; field 99 (varint) = 1
    return varint(len(body)) + body


def non_minimal_prefix_hello() -> bytes:
    """Hello whose length prefix takes all 10 bytes (0x80 continuation padding): valid LEB128."""
    body = hello()[1:]
    n = len(body)
    assert n < 0x80
    return bytes([n | 0x80] + [0x80] * 8 + [0x00]) + body


def goodbye(sequence: int) -> bytes:
    m = pb.ClientMessage(sequence=sequence)
    m.goodbye.reason = "done"
    return frame(m)


def heartbeat(sequence: int) -> bytes:
    m = pb.ClientMessage(sequence=sequence)
    m.heartbeat.client_time_unix_nanos = 1_700_000_000_000_000_000
    return frame(m)


CORPUS = {
    "hello.bin": lambda: hello(),
    "hello-non-minimal-prefix.bin": non_minimal_prefix_hello,
    "snapshot-f32.bin": lambda: hello() + snapshot(),
    "snapshot-f32-4096-bytes-split.bin": lambda: hello() + snapshot(rows=32, columns=32),
    "snapshot-f16-bf16-f64.bin": lambda: hello() + snapshot(sequence=2, dtype=pb.DTYPE_F16, layer="a")
        + snapshot(sequence=3, dtype=pb.DTYPE_BF16, layer="b") + snapshot(sequence=4, dtype=pb.DTYPE_F64, layer="c"),
    "labels-i32.bin": lambda: hello() + labels(),
    "scalars.bin": lambda: hello() + scalars(loss=0.5, accuracy=0.875),
    "chunked-snapshot.bin": lambda: hello() + edited(chunk(0, 2, 0), sequence=2) + edited(chunk(1, 2, 8), sequence=3),
    "heartbeat-goodbye.bin": lambda: hello() + heartbeat(2) + goodbye(3),
    "shape-overflow.bin": lambda: hello() + edited(shape_overflow),
    "shape-zero-dimension.bin": lambda: hello() + edited(set_shape([8, 0])),
    "shape-bytes-one-short.bin": lambda: hello() + edited(drop_last_byte),
    "nan-value.bin": lambda: hello() + edited(nan_value),
    "repeated-sample-ids.bin": lambda: hello() + edited(repeated_ids),
    "bad-chunk.bin": lambda: hello() + edited(bad_chunk),
    "negative-step.bin": lambda: hello() + edited(negative_step),
    "unspecified-dtype.bin": lambda: hello() + edited(no_dtype),
    "other-run.bin": lambda: hello() + edited(other_run),
    "scalars-infinite.bin": lambda: hello() + scalars(loss=float("inf")),
    "repeated-values-field.bin": lambda: hello() + repeated_values_field(),
    "malformed-protobuf.bin": lambda: hello() + malformed(),
    "unknown-field.bin": lambda: hello() + unknown_field(),
    "empty-message.bin": lambda: hello() + b"\x00",
    "bad-varint-prefix.bin": lambda: hello() + b"\xff" * 10 + b"\x01",
    "frame-too-large.bin": lambda: hello() + varint(2**64 - 1),
    "truncated-frame.bin": lambda: hello() + snapshot()[:40],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "Tests", "InfoplaneServerTests", "FuzzCorpus"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, make in CORPUS.items():
        data = make()
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
