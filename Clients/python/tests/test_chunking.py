"""Large layers are split by rows into chunks that fit the budget and the server's limit."""

import os

import numpy as np
import pytest

from infoplane import Monitor
from infoplane._proto.infoplane.v1 import infoplane_pb2 as pb
from infoplane._records import LayerPayload, SnapshotRecord
from infoplane._tensors import decode_tensor, encode_sample_ids, encode_values, row_ranges

from fake_daemon import FakeDaemon


def test_row_ranges_cover_every_row_once_within_budget():
    for rows, row_bytes, budget in [(10, 8, 16), (10, 8, 80), (10, 8, 81), (1, 1000, 10), (4096, 48, 4 << 20), (7, 3, 5)]:
        ranges = row_ranges(rows, row_bytes, budget)
        assert ranges[0][0] == 0 and ranges[-1][1] == rows
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
        assert all(hi > lo for lo, hi in ranges)
        assert all((hi - lo) * row_bytes <= budget or hi - lo == 1 for lo, hi in ranges)
    assert row_ranges(0, 8, 16) == []
    assert len(row_ranges(10, 8, 16)) == 5


def test_record_chunks_reassemble_to_the_layer():
    values = np.random.default_rng(0).standard_normal((1000, 37)).astype(np.float32)
    ids = np.arange(1000, 2000)
    record = SnapshotRecord(5, 1, pb.SPLIT_PROBE,
                            (LayerPayload("fc", pb.ROLE_HIDDEN, encode_values(values, pb.ROLE_HIDDEN)),),
                            encode_sample_ids(ids, 1000), 3)
    budget = 10_000
    chunks = list(record.messages(budget))
    assert len(chunks) == record.message_count(budget) == -(-1000 // (budget // (37 * 4 + 8)))
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    assert {c.chunk_count for c in chunks} == {len(chunks)}
    assert {(c.step, c.epoch, c.layer, c.frame_layer_count) for c in chunks} == {(5, 1, "fc", 3)}
    assert all(len(c.values.data) + len(c.sample_ids.data) <= budget for c in chunks)
    np.testing.assert_array_equal(np.concatenate([decode_tensor(c.values) for c in chunks]), values)
    np.testing.assert_array_equal(np.concatenate([decode_tensor(c.sample_ids) for c in chunks]), ids)


def test_client_chunk_budget_is_respected_on_the_wire(socket_dir):
    fake = FakeDaemon(os.path.join(socket_dir, "f.sock"), credits=8)
    try:
        values = np.random.default_rng(1).standard_normal((4096, 100)).astype(np.float32)  # 1.6 MB
        with Monitor(run="chunks", address=fake.path, chunk_bytes=256 << 10) as monitor:
            assert monitor.log_activations(3, "wide", values)
            assert monitor.flush(10)
        chunks = [m.snapshot for m in fake.data_messages()]
        assert len(chunks) == -(-4096 // ((256 << 10) // (400 + 8)))
        np.testing.assert_array_equal(np.concatenate([decode_tensor(c.values) for c in chunks]), values)
    finally:
        fake.close()
