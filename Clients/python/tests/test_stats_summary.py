"""MonitorStats.summary(): the one line the examples end with (the tests read it back)."""

from infoplane.stats import MonitorStats


def test_summary_names_every_end_of_run_counter():
    stats = MonitorStats(sent=12, acked=10, errors=1, dropped=2, lost=1, reconnects=3, bytes_sent=999)
    assert stats.summary() == "sent 12, acked 10, errors 1, dropped 2, lost 1, reconnects 3"
