"""The training-overhead benchmark (Benchmarks/training_overhead.py) in its short form: it runs
every configuration against the real daemon and prints the figures and their split. Only that
it completes and reports is checked: how fast is the benchmark's to print, not a test's to
assert (the goal's verdict is printed, whatever it is)."""

import json
import subprocess
import sys

import pytest

from conftest import REPO_ROOT, daemon_binary

pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): the training-overhead benchmark not run")
pytest.importorskip("sklearn", reason="scikit-learn is not installed: the training-overhead benchmark not run")

BENCHMARK = REPO_ROOT / "Benchmarks" / "training_overhead.py"
CONFIGURATIONS = ["none", "probe", "watch", "discard", "monitor", "niced"]


def test_the_short_form_runs_every_configuration_and_prints_the_split():
    binary = daemon_binary()
    if binary is None or not binary.exists():
        pytest.skip("the real daemon is not built: run `swift build` first, or set INFOPLANED=/path/to/infoplaned")
    completed = subprocess.run([sys.executable, str(BENCHMARK), "--short", "--json", "--daemon", str(binary)],
                               capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-4000:]
    report, result = completed.stderr, json.loads(completed.stdout)

    assert result["benchmark"] == "training_overhead" and result["every"] == 50 and result["probe_size"] == 1024
    assert list(result["configurations"]) == CONFIGURATIONS
    for name, figures in result["configurations"].items():
        assert figures["steps_per_second"] > 0, name
        assert figures["frames"] == (0 if name == "none" else 4), name  # steps 0, 50, 100, 150 of 200
    for name in ("discard", "monitor", "niced"):
        figures = result["configurations"][name]
        assert figures["daemon_cpu_ms_per_frame"] >= 0
        stats = figures["stats"]
        assert stats["errors"] == 0 and stats["dropped"] == 0 and stats["acked"] == stats["sent"] > 0, (name, stats)
    split = result["split_of_step_time"]
    for key in ("probe_forward", "monitor_own", "copies_training_thread", "encoding_sending", "daemon_estimation", "total"):
        assert isinstance(split[key], float), key
    assert isinstance(result["goal_met"], bool)
    assert result["probe_forward_training_steps"] > 0

    for line in ("probe forward, the price of the probes", "the monitor's own cost", "copies on the training thread",
                 "encoding, sending, the daemon's reception", "the daemon's estimation, its share of the cores",
                 "goal: the monitor's own cost <= 5 % of steps/s at a frame every 50 steps"):
        assert line in report, line
    for name in CONFIGURATIONS:
        assert f"round 1 {name}" in report, name
