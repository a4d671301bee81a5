"""Training never waits for the monitor: with the daemon absent, stalled or paused, log calls
return within milliseconds and what cannot be sent is dropped and counted."""

import os
import signal
import socket
import time

import numpy as np

from infoplane import Monitor

from call_timing import NETWORK_DELAY_SECONDS, assert_never_waited



def _frame(rng):
    return {f"layer{i}": rng.standard_normal((4096, w)).astype(np.float32) for i, w in enumerate((10, 7, 5, 4, 3), 1)}


def _log_for_a_while(monitor, calls, rng):
    layers, labels = _frame(rng), rng.integers(0, 2, 4096)
    durations = []
    for step in range(calls):
        start = time.perf_counter()
        monitor.log_frame(step, layers=layers, labels=labels)
        monitor.log_scalars(step, loss=1.0 / (step + 1))
        durations.append(time.perf_counter() - start)
    return np.array(durations)


def test_daemon_absent_calls_never_wait_and_drops_are_counted(socket_dir):
    rng = np.random.default_rng(0)
    monitor = Monitor(run="absent", address=os.path.join(socket_dir, "nobody.sock"), max_queue_records=32,
                      reconnect_initial_delay=NETWORK_DELAY_SECONDS)
    durations = _log_for_a_while(monitor, 300, rng)
    start = time.perf_counter()
    stats = monitor.close(timeout=1.0)
    close_seconds = time.perf_counter() - start
    assert_never_waited(durations)
    assert stats.sent == 0 and stats.connect_failures >= 1
    assert stats.dropped_records == 600
    assert stats.dropped == 300 * 6 + 300  # six snapshots (5 layers + labels) and one Scalars per step
    assert close_seconds < 2.0


def test_daemon_that_never_answers_hello_does_not_block(socket_dir):
    # A socket that is listened on but never accepted: connect succeeds, Hello goes
    # unanswered until the handshake times out on the sender thread.
    path = os.path.join(socket_dir, "stalled.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    try:
        monitor = Monitor(run="stalled", address=path, connect_timeout=NETWORK_DELAY_SECONDS, max_queue_records=16)
        durations = _log_for_a_while(monitor, 100, np.random.default_rng(1))
        stats = monitor.close(timeout=0.5)
        assert_never_waited(durations)
        assert stats.sent == 0 and stats.dropped_records == 200
    finally:
        listener.close()


def test_paused_daemon_slows_nothing_and_resumes(daemon):
    """SIGSTOP the real daemon mid-run: the socket buffers fill, the sender blocks, the queue
    fills, calls stay fast and drop; after SIGCONT the data flows again."""
    rng = np.random.default_rng(2)
    monitor = Monitor(run="paused", address=daemon.socket_path, max_queue_records=8)
    try:
        assert monitor.wait_connected(10)
        for _ in range(5):
            _log_for_a_while(monitor, 1, rng)
            assert monitor.flush(10)
        before = monitor.stats
        assert before.acked == 5 * 7 and before.dropped == 0
        os.kill(daemon.process.pid, signal.SIGSTOP)
        try:
            durations = _log_for_a_while(monitor, 200, rng)
            paused = monitor.stats
        finally:
            os.kill(daemon.process.pid, signal.SIGCONT)
        assert_never_waited(durations)
        assert paused.dropped > 0 and paused.acked == before.acked
        assert monitor.flush(20)
        _log_for_a_while(monitor, 3, rng)
        assert monitor.flush(10)
        after = monitor.stats
        assert after.acked > paused.acked and after.errors == 0
    finally:
        monitor.close()
