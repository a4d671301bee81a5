"""The client never has more Snapshot/Scalars messages unanswered than the server granted."""

import os

import numpy as np

from infoplane import Monitor

from fake_daemon import FakeDaemon
from sink_report import tallies_by_key


def test_bursts_within_two_credits_are_never_refused(start_daemon):
    # The real daemon refuses every message beyond its credits with CREDITS_EXCEEDED.
    daemon = start_daemon("--credits", "2")
    values = np.random.default_rng(0).standard_normal((256, 16)).astype(np.float32)
    with Monitor(run="credits", address=daemon.socket_path, max_queue_records=4096, chunk_bytes=4096) as monitor:
        for step in range(300):
            monitor.log_scalars(step, loss=float(step))
        monitor.log_activations(300, "layer", values)  # 256 rows of 64+8 bytes in 4 kB chunks
        assert monitor.flush(30)
        stats = monitor.stats
    assert stats.errors == 0, stats.errors_by_code
    chunks = -(-256 // (4096 // (16 * 4 + 8)))
    assert stats.sent == stats.acked == 300 + chunks and stats.dropped == 0
    tally = tallies_by_key(daemon.stop())[("credits", "layer", "probe", 300)]
    assert tally["chunks"] == chunks and tally["rows"] == 256


def test_sending_stops_at_the_credit_limit_until_acks_return(socket_dir):
    # Only a fake server can withhold its Acks.
    fake = FakeDaemon(os.path.join(socket_dir, "f.sock"), credits=3, hold_acks=True)
    try:
        monitor = Monitor(run="held", address=fake.path)
        for step in range(10):
            assert monitor.log_scalars(step, loss=1.0)
        assert fake.wait_for_data(3)
        assert not fake.wait_for_data(4, timeout=0.5)  # the fourth waits for a credit
        assert monitor.stats.sent == 3
        fake.release(2)
        assert fake.wait_for_data(5)
        assert not fake.wait_for_data(6, timeout=0.3)
        while fake.release() or len(fake.data_messages()) < 10:
            fake.wait_for_data(10, timeout=0.05)
        assert monitor.flush(5)
        stats = monitor.close()
        assert fake.max_in_flight == 3 and fake.credit_violations == 0
        assert stats.sent == stats.acked == 10
        assert [m.scalars.step for m in fake.data_messages()] == list(range(10))
    finally:
        fake.close()
