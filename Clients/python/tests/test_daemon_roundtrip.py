"""Data sent by the client arrives intact in the real daemon (counting sink): every dtype,
chunked layers, frames, scalars and run metadata."""

import numpy as np
import pytest

from infoplane import Monitor

from sink_report import scalars_of, sink_checksum, tallies_by_key, tally_checksum


def _bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def _f32_to_bf16_bits(values):
    bits = values.astype(np.float32).view(np.uint32)
    return ((bits + ((bits >> 16) & 1) + 0x7FFF) >> 16).astype(np.uint16)


@pytest.mark.parametrize("send_as", ["f16", "bf16", "f32", "f64"])
def test_values_round_trip_through_the_daemon(daemon, send_as):
    rng = np.random.default_rng(7)
    source = rng.standard_normal((513, 9)) * 3
    ids = rng.permutation(10_000)[:513]
    if send_as == "f16":
        values, decoded = source.astype(np.float16), source.astype(np.float16).astype(np.float32)
    elif send_as == "f64":
        values, decoded = source, source.astype(np.float32)
    elif send_as == "f32":
        values = source.astype(np.float32)
        decoded = values
    else:
        bits = _f32_to_bf16_bits(source)
        try:
            import ml_dtypes  # a real bfloat16 numpy array when available
            values = bits.view(ml_dtypes.bfloat16)
        except ImportError:
            values = _bf16_to_f32(bits)  # exactly representable: sent as bf16 below without rounding
        decoded = _bf16_to_f32(bits)
    with Monitor(run=f"dtype-{send_as}", address=daemon.socket_path) as monitor:
        kwargs = {"dtype": "bf16"} if send_as == "bf16" else {}
        assert monitor.log_activations(42, "layer", values, sample_ids=ids, epoch=3, **kwargs)
        assert monitor.flush(10)
        stats = monitor.stats
    assert (stats.sent, stats.acked, stats.errors, stats.dropped) == (1, 1, 0, 0)
    tally = tallies_by_key(daemon.stop())[(f"dtype-{send_as}", "layer", "probe", 42)]
    assert (tally["rows"], tally["values"], tally["chunks"]) == (513, 513 * 9, 1)
    assert tally_checksum(tally) == sink_checksum(ids, decoded)


def test_chunked_frame_arrives_whole(daemon):
    rng = np.random.default_rng(8)
    layers = {"wide": rng.standard_normal((4096, 300)).astype(np.float32),  # 4.9 MB: two chunks at 4 MiB
              "narrow": rng.standard_normal((4096, 3)).astype(np.float32)}
    inputs = rng.integers(0, 2, (4096, 12)).astype(np.float32)
    labels = rng.integers(0, 2, 4096)
    with Monitor(run="frame", address=daemon.socket_path) as monitor:
        assert monitor.log_frame(7, layers=layers, inputs=inputs, labels=labels, split="train", epoch=1)
        assert monitor.flush(20)
        stats = monitor.stats
    assert stats.errors == 0 and stats.dropped == 0 and stats.sent == stats.acked == 2 + 1 + 1 + 1
    tallies = tallies_by_key(daemon.stop())
    ids = np.arange(4096)
    expected = dict(layers, inputs=inputs, labels=labels.astype(np.int64))
    for name, values in expected.items():
        tally = tallies[("frame", name, "train", 7)]
        assert tally["rows"] == 4096
        assert tally_checksum(tally) == sink_checksum(ids, values), name
    assert tallies[("frame", "wide", "train", 7)]["chunks"] == 2


def test_small_client_chunks_are_reassembled_by_row(daemon):
    values = np.random.default_rng(9).standard_normal((1000, 50)).astype(np.float32)
    with Monitor(run="small-chunks", address=daemon.socket_path, chunk_bytes=20_000) as monitor:
        monitor.log_activations(1, "layer", values, split="validation")
        assert monitor.flush(10)
    tally = tallies_by_key(daemon.stop())[("small-chunks", "layer", "validation", 1)]
    assert tally["chunks"] == -(-1000 // (20_000 // (50 * 4 + 8)))
    assert tally["rows"] == 1000 and tally_checksum(tally) == sink_checksum(np.arange(1000), values)


def test_chunks_fit_the_daemons_max_message_bytes(start_daemon):
    daemon = start_daemon("--max-message-bytes", str(200_000))
    values = np.random.default_rng(10).standard_normal((3000, 40)).astype(np.float64)  # 960 kB
    with Monitor(run="limit", address=daemon.socket_path) as monitor:
        monitor.log_activations(1, "layer", values)
        assert monitor.flush(10)
        stats = monitor.stats
    assert stats.errors == 0 and stats.dropped == 0 and stats.sent == stats.acked > 1
    tally = tallies_by_key(daemon.stop())[("limit", "layer", "probe", 1)]
    assert tally["chunks"] == stats.sent
    assert tally_checksum(tally) == sink_checksum(np.arange(3000), values.astype(np.float32))


def test_scalars_and_run_metadata_arrive(daemon):
    with Monitor(run="scalars", address=daemon.socket_path, metadata={"seed": 3}) as monitor:
        for step in range(5):
            monitor.log_scalars(step, loss=1.0 / (step + 1), accuracy=step / 10)
            monitor.log_scalars(step, split="validation", loss=2.0 / (step + 1))
        monitor.log_scalars(5, loss=float("nan"), accuracy=0.5)  # NaN left out, accuracy still sent
        assert monitor.flush(10)
        assert monitor.stats.acked == 11
    report = daemon.stop()
    assert "scalars" in report["runs"]
    records = scalars_of(report, "scalars")
    train = sorted((r["step"], r["values"]["loss"]) for r in records if r["split"] == "train" and "loss" in r["values"])
    assert train == [(s, 1.0 / (s + 1)) for s in range(5)]
    assert sorted(r["step"] for r in records if r["split"] == "validation") == list(range(5))
    assert [r["values"] for r in records if r["step"] == 5] == [{"accuracy": 0.5}]


def test_tcp_host_port_address(start_daemon):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    daemon = start_daemon("--tcp", f"127.0.0.1:{port}")
    values = np.random.default_rng(11).standard_normal((300, 4)).astype(np.float32)
    with Monitor(run="over-tcp", address=f"127.0.0.1:{port}") as monitor:
        assert monitor.wait_connected(10)
        monitor.log_activations(1, "layer", values)
        assert monitor.flush(10)
        stats = monitor.stats
    assert stats.acked == 1 and stats.errors == 0
    tally = tallies_by_key(daemon.stop())[("over-tcp", "layer", "probe", 1)]
    assert tally_checksum(tally) == sink_checksum(np.arange(300), values)


def test_a_row_wider_than_the_message_limit_is_dropped_locally(start_daemon, caplog):
    daemon = start_daemon("--max-message-bytes", str(100_000))
    with Monitor(run="too-wide", address=daemon.socket_path) as monitor:
        monitor.log_activations(1, "wide", np.ones((2, 25_000), dtype=np.float32))  # 100 kB rows
        monitor.log_activations(2, "fits", np.ones((2, 23_000), dtype=np.float32))  # 92 kB rows: one per chunk
        monitor.log_activations(3, "narrow", np.ones((2, 2), dtype=np.float32))
        assert monitor.flush(10)
        stats = monitor.stats
    # Sent, the wide row would be refused as MESSAGE_TOO_LARGE and end the session.
    assert stats.dropped_records == 1 and stats.acked == 3 and stats.errors == 0 and stats.reconnects == 0
    assert any("cannot fit" in r.getMessage() for r in caplog.records)
    tallies = tallies_by_key(daemon.stop())
    assert sorted(k[1] for k in tallies) == ["fits", "narrow"]
    assert tallies[("too-wide", "fits", "probe", 2)]["chunks"] == 2
