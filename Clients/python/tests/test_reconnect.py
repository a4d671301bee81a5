"""After the daemon restarts, the client reconnects by itself and data flows again; what was
logged while it was down is dropped and counted, never waited for."""

import time

import numpy as np

from infoplane import Monitor

from call_timing import assert_never_waited

from sink_report import sink_checksum, tallies_by_key, tally_checksum


def test_reconnect_after_daemon_restart(daemon):
    rng = np.random.default_rng(0)
    values = rng.standard_normal((64, 5)).astype(np.float32)
    monitor = Monitor(run="restart", address=daemon.socket_path, max_queue_records=16,
                      reconnect_initial_delay=0.05, reconnect_max_delay=0.2)
    try:
        assert monitor.wait_connected(10)
        monitor.log_activations(1, "layer", values)
        assert monitor.flush(10)
        first = daemon.stop()

        # Down: calls return at once; the queue keeps 16 records, the rest are dropped.
        durations = []
        for step in range(2, 52):
            start = time.perf_counter()
            monitor.log_scalars(step, loss=0.1)
            durations.append(time.perf_counter() - start)
        down = monitor.stats
        assert not down.connected and down.dropped >= 50 - 16
        assert_never_waited(durations)

        daemon.start()
        assert monitor.wait_connected(10)
        monitor.log_activations(100, "layer", values * 2)
        assert monitor.flush(10)
        up = monitor.stats
    finally:
        monitor.close()
    assert up.reconnects == 1 and up.errors == 0
    # Every record is accounted for: acknowledged, or dropped (queue full while down; the one
    # the sender may have taken just as the connection closed), none silently lost.
    assert up.acked + up.dropped_records + up.lost == 1 + 50 + 1
    assert ("restart", "layer", "probe", 1) in tallies_by_key(first)
    second = daemon.stop()
    tally = tallies_by_key(second)[("restart", "layer", "probe", 100)]
    assert tally_checksum(tally) == sink_checksum(np.arange(64), values * 2)
    steps = sorted(s["step"] for s in second["scalars"])
    assert len(steps) == up.acked - 2 >= 15  # the queued Scalars were sent after the restart
    assert steps == list(range(steps[0], steps[0] + len(steps)))
