"""An idle monitor keeps its session: heartbeats go out before the daemon's idle timeout."""

import time

from infoplane import Monitor


def test_idle_session_survives_the_idle_timeout(start_daemon):
    daemon = start_daemon("--idle-timeout-ms", "1200")
    with Monitor(run="idle", address=daemon.socket_path) as monitor:
        assert monitor.wait_connected(10)
        time.sleep(3.0)  # 2.5 idle timeouts without data
        assert monitor.log_scalars(1, loss=0.5)
        assert monitor.flush(10)
        stats = monitor.stats
    assert stats.acked == 1 and stats.reconnects == 0 and stats.errors == 0 and stats.lost == 0
    assert [s["step"] for s in daemon.stop()["scalars"]] == [1]
