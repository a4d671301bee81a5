"""The sender writes what was queued in batches (one write for many small messages), within
the credits, and the hand-built wire encoding equals protobuf's."""

import os
import time

import numpy as np
import pytest

from infoplane import Monitor
from infoplane._proto.infoplane.v1 import infoplane_pb2 as pb
from infoplane._records import LayerPayload, ScalarsRecord, SnapshotRecord, encode_scalars
from infoplane._session import Session
from infoplane._tensors import encode_sample_ids, encode_values

from fake_daemon import FakeDaemon


@pytest.fixture
def count_writes(monkeypatch):
    """Counts Session.write calls that carry data messages (not heartbeats or Goodbye)."""
    calls = []
    original = Session.write

    def write(self, parts, sequences=()):
        if sequences:
            calls.append(len(sequences))
        return original(self, parts, sequences)

    monkeypatch.setattr(Session, "write", write)
    return calls


def test_many_scalars_go_out_in_few_writes(socket_dir, count_writes):
    fake = FakeDaemon(os.path.join(socket_dir, "f.sock"), credits=1000)
    try:
        # A flush interval longer than the test: only the first record (the sender is idle)
        # and flush() make it write.
        with Monitor(run="batched", address=fake.path, flush_interval=30.0) as monitor:
            assert monitor.wait_connected(10)
            for step in range(300):
                assert monitor.log_scalars(step, loss=1.0 / (step + 1), accuracy=0.5)
            assert monitor.flush(10)
            assert fake.wait_for_data(300, timeout=10)
            stats = monitor.stats
        assert stats.sent == stats.acked == 300 and stats.dropped == 0
        assert sum(count_writes) == 300 and len(count_writes) <= 3, count_writes
        assert [m.scalars.step for m in fake.data_messages()] == list(range(300))
        assert fake.data_messages()[7].scalars == pb.Scalars(step=7, epoch=-1, split=pb.SPLIT_TRAIN,
                                                             values={"loss": 1.0 / 8, "accuracy": 0.5})
    finally:
        fake.close()


def test_batches_never_exceed_the_credits(socket_dir, count_writes):
    fake = FakeDaemon(os.path.join(socket_dir, "f.sock"), credits=5, hold_acks=True)
    try:
        monitor = Monitor(run="held-batches", address=fake.path, flush_interval=0.05)
        for step in range(40):
            assert monitor.log_scalars(step, loss=1.0)
        assert fake.wait_for_data(5)
        assert not fake.wait_for_data(6, timeout=0.3)
        released, deadline = 0, time.monotonic() + 30
        while released < 40 and time.monotonic() < deadline:
            released += fake.release(5)
            fake.wait_for_data(min(40, released + 5), timeout=5)
        assert monitor.flush(10)
        stats = monitor.close()
        assert fake.max_in_flight == 5 and fake.credit_violations == 0
        assert stats.sent == stats.acked == 40 and stats.dropped == 0
        assert max(count_writes) <= 5 and sum(count_writes) == 40
        assert [m.scalars.step for m in fake.data_messages()] == list(range(40))
    finally:
        fake.close()


def test_first_record_after_a_pause_is_sent_without_waiting_for_the_interval(socket_dir):
    fake = FakeDaemon(os.path.join(socket_dir, "f.sock"), credits=16)
    try:
        with Monitor(run="prompt", address=fake.path, flush_interval=30.0) as monitor:
            assert monitor.wait_connected(10)
            time.sleep(0.2)  # the sender is idle
            start = time.monotonic()
            assert monitor.log_scalars(1, loss=0.5)
            assert fake.wait_for_data(1, timeout=10)
            assert time.monotonic() - start < 5.0  # far below the 30 s interval
            assert monitor.log_scalars(2, loss=0.4)  # coalescing now: flush() sends it at once
            assert monitor.flush(10)
            assert len(fake.data_messages()) == 2
    finally:
        fake.close()


def test_scalars_encoding_equals_protobufs():
    cases = [(0, 0, 0, {}), (13, -1, pb.SPLIT_VALIDATION, {"loss": 0.5, "accuracy": 1.0}),
             (2 ** 40, 7, pb.SPLIT_PROBE, {"é": -1e300, "x" * 200: 0.0, "tiny": 5e-324})]
    for step, epoch, split, values in cases:
        encoded = encode_scalars(step, epoch, split, values)
        expected = pb.Scalars(step=step, epoch=epoch, split=split, values=values)
        assert pb.Scalars.FromString(encoded) == expected
        assert len(encoded) == expected.ByteSize()
        record = ScalarsRecord(step, epoch, split, values)
        (key, body, length), = record.wire_bodies(1 << 20)
        assert b"".join(body) == encoded and length == len(encoded)


@pytest.mark.parametrize("budget", [1, 10_000, 1 << 20])
def test_snapshot_encoding_is_byte_identical_to_protobufs(budget):
    rng = np.random.default_rng(0)
    values = rng.standard_normal((300, 37)).astype(np.float32)
    record = SnapshotRecord(5, -1, pb.SPLIT_PROBE,
                            (LayerPayload("fc", pb.ROLE_HIDDEN, encode_values(values, pb.ROLE_HIDDEN)),
                             LayerPayload("y", pb.ROLE_LABEL, encode_values(np.arange(300) % 3, pb.ROLE_LABEL)),
                             LayerPayload("h", pb.ROLE_HIDDEN, encode_values(values[:, :2], pb.ROLE_HIDDEN, "bf16"))),
                            encode_sample_ids(np.arange(1000, 1300), 300), 3)
    messages = list(record.messages(budget))
    bodies = list(record.wire_bodies(budget))
    assert len(bodies) == len(messages) == record.message_count(budget)
    for message, (key, body, length) in zip(messages, bodies):
        encoded = b"".join(bytes(part) for part in body)
        assert len(encoded) == length
        assert encoded == message.SerializeToString()
        framed = []
        size = Session.frame(9, key, body, length, framed)
        wire = b"".join(bytes(part) for part in framed)
        assert len(wire) == size
        prefix_length = size - len(pb.ClientMessage(sequence=9, snapshot=message).SerializeToString())
        assert pb.ClientMessage.FromString(wire[prefix_length:]) == pb.ClientMessage(sequence=9, snapshot=message)


def test_ack_fast_path_reads_what_protobuf_reads():
    from infoplane._session import _parse_ack

    for sequence, credits in [(0, 0), (1, 1), (300, 0), (2 ** 40, 3), (2 ** 64 - 1, 2 ** 32 - 1)]:
        encoded = pb.ServerMessage(ack=pb.Ack(sequence=sequence, credits=credits)).SerializeToString()
        assert _parse_ack(encoded) == (sequence, credits)
    # Anything else is left to protobuf.
    for message in (pb.ServerMessage(error=pb.Error(sequence=3, code=pb.ERROR_CODE_NON_FINITE_VALUES, credits=1)),
                    pb.ServerMessage(alert=pb.Alert(kind="collapse", step=5)),
                    pb.ServerMessage(welcome=pb.Welcome(credits=16))):
        assert _parse_ack(message.SerializeToString()) is None
    assert _parse_ack(b"\x5a\x02\x08") is None  # truncated
    assert _parse_ack(b"\x5a\x02\x18\x01") is None  # unknown field
