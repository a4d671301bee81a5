"""Errors from the daemon become log warnings and counters; training goes on."""

import logging

import numpy as np

import infoplane.monitor
from infoplane import Monitor


def test_refused_snapshot_is_a_warning_and_a_count(daemon, caplog):
    # float64 values beyond float32's range are finite for the client but not for the daemon,
    # which decodes to binary32: it refuses them with NON_FINITE_VALUES (not fatal).
    caplog.set_level(logging.WARNING, logger="infoplane")
    huge = np.full((4, 2), 1e300)
    with Monitor(run="refused", address=daemon.socket_path) as monitor:
        monitor.log_activations(1, "ok", np.ones((4, 2)))
        monitor.log_activations(2, "huge", huge)
        monitor.log_activations(3, "ok", np.ones((4, 2)))
        assert monitor.flush(10)
        stats = monitor.stats
    assert stats.sent == 3 and stats.acked == 2 and stats.errors == 1
    assert stats.errors_by_code == {"ERROR_CODE_NON_FINITE_VALUES": 1}
    assert "NaN or infinite" in stats.last_error and stats.reconnects == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("ERROR_CODE_NON_FINITE_VALUES" in w and "refused message" in w for w in warnings)


def test_protocol_version_mismatch_is_reported(daemon, caplog, monkeypatch):
    caplog.set_level(logging.WARNING, logger="infoplane")
    monkeypatch.setattr(infoplane.monitor, "PROTOCOL_VERSION", 99)
    monitor = Monitor(run="future-client", address=daemon.socket_path, reconnect_initial_delay=0.05)
    try:
        assert not monitor.wait_connected(0.5)
        assert monitor.log_scalars(1, loss=1.0)  # queued; never sent
        stats = monitor.close(timeout=0.2)
    finally:
        monitor.close()
    assert stats.sent == 0 and stats.dropped == 1
    assert stats.errors_by_code.get("ERROR_CODE_PROTOCOL_VERSION_MISMATCH", 0) >= 1
    assert any("version 99" in r.getMessage() for r in caplog.records)
