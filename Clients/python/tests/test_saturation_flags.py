"""Binning's `saturated` flag on real frames (issue 15): a digits CNN frame flags binning as
saturated on its wide conv layers; the Shwartz-Ziv & Tishby demo's narrow last hidden layer
does not.

One real infoplaned with the monitoring pipeline (every default estimator, the SQLite store)
and its HTTP API; both examples stream a short run to it as they would in use, and the test
reads what the daemon estimated back from GET /v1/runs/{run}/series.

- Digits CNN (examples/digits_cnn.py): one epoch (21 steps), a probe frame of 1024 distinct
  training images before step 0 and after the last step, conv layers flattened (conv1 2048
  and conv2 4096 ReLU features). Thirty bins per unit give every image a bin pattern of its
  own, so binning says only H(T) = log2 1024 = 10 bits and I(T;Y) = H(Y).
- SZT demo (examples/szt_demo.py): twelve epochs (13 steps each), a frame of all 4096
  patterns every six epochs; `layer5` is 3 tanh units in 30 fixed bins over [-1, 1], at
  most 27,000 patterns of which far fewer occur: about 6.4-6.8 bits of I(X;T), well under
  log2 4096 = 12, and no flag.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter

import numpy as np
import pytest

from conftest import PACKAGE_ROOT, MonitoringDaemon, require_daemon_binary

EXAMPLES = PACKAGE_ROOT / "examples"
CNN_RUN = "digits-saturation"
CNN_PROBE = 1024
CNN_STEPS = [0, 21]  # 1297 images in batches of 64: 21 steps; --every 50: step 0 and the last
CNN_WIDE = {"conv1": 2048, "conv2": 4096}
SZT_RUN = "szt-saturation"
SZT_PATTERNS = 4096
SZT_STEPS = [0, 78, 156]  # 13 steps per epoch, a frame at epochs 0, 6 and 12
SZT_LAST_HIDDEN = ("layer5", 3)
#: Seconds a debug daemon gets to estimate a run's frames (about 10 s for the CNN's two on 2 cores).
ESTIMATION_TIMEOUT = 120.0


def run_example(script: str, *args: str) -> dict:
    """Runs examples/<script> to its end and returns its RESULT line's JSON."""
    completed = subprocess.run([sys.executable, str(EXAMPLES / script), *args, "--quiet", "--result-json"],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, f"{script} failed:\n{completed.stdout}\n{completed.stderr}"
    results = [line[len("RESULT "):] for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    assert results, f"{script} printed no RESULT line:\n{completed.stdout}"
    return json.loads(results[-1])


def binning_series(daemon: MonitoringDaemon, run: str, steps: list, layers: list) -> dict:
    """Waits until every frame of `run` is estimated and each of `layers` has a binning point
    at each of `steps` for both metrics; returns {(layer, metric): [point, ...]}."""
    deadline = time.monotonic() + ESTIMATION_TIMEOUT
    series, estimation = {}, {}
    while time.monotonic() < deadline:
        if daemon.process.poll() is not None:
            pytest.fail(f"infoplaned exited with {daemon.process.returncode}:\n{daemon.log()}")
        estimation = daemon.get(f"/v1/runs/{run}")["estimation"]
        if estimation["frames_waiting"] == 0 and estimation["newest_estimated_step"] == steps[-1]:
            body = daemon.get(f"/v1/runs/{run}/series", estimator="binning", split="probe")
            series = {(s["layer"], s["metric"]): s["points"] for s in body["series"]}
            if all([p["step"] for p in series.get((layer, metric), [])] == steps
                   for layer in layers for metric in ("I(X;T)", "I(T;Y)")):
                return series
        time.sleep(0.5)
    pytest.fail(f"run {run}: binning points at steps {steps} of {layers} not all stored within "
                f"{ESTIMATION_TIMEOUT} s (estimation {estimation}; have "
                f"{ {key: [p['step'] for p in points] for key, points in series.items()} }):\n{daemon.log()}")


def entropy_bits(labels) -> float:
    counts = np.array(list(Counter(int(v) for v in labels).values()), dtype=np.float64)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def describe(points: list) -> str:
    return ", ".join(f"step {p['step']}: {p['value']:.4f} {p.get('flags', [])}" for p in points)


@pytest.fixture(scope="module")
def monitoring_daemon():
    """One monitoring daemon (default configuration) for both runs."""
    binary = require_daemon_binary()
    directory = tempfile.mkdtemp(prefix="ipt-", dir="/tmp")
    d = MonitoringDaemon(binary, directory)
    try:
        d.start()
        yield d
        assert d.stop() == 0, d.log()
    finally:
        d.kill()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def cnn_series(monitoring_daemon):
    pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): the digits CNN not tested")
    pytest.importorskip("sklearn", reason="scikit-learn is not installed: the digits CNN not tested")
    result = run_example("digits_cnn.py", "--epochs", "1", "--every", "50", "--probe-size", str(CNN_PROBE),
                         "--reduce", "flatten", "--address", monitoring_daemon.socket_path, "--run", CNN_RUN)
    assert result["frames"] == len(CNN_STEPS) and result["stats"]["errors"] == 0 and result["stats"]["dropped"] == 0, result
    return binning_series(monitoring_daemon, CNN_RUN, CNN_STEPS, list(CNN_WIDE))


@pytest.fixture(scope="module")
def szt_series(monitoring_daemon):
    result = run_example("szt_demo.py", "--epochs", "12", "--every", "6", "--address", monitoring_daemon.socket_path,
                         "--run", SZT_RUN)
    assert result["frames"] == len(SZT_STEPS) and result["stats"]["errors"] == 0 and result["stats"]["dropped"] == 0, result
    return binning_series(monitoring_daemon, SZT_RUN, SZT_STEPS, [SZT_LAST_HIDDEN[0]])


def cnn_probe_labels():
    """The labels of the CNN's probe images, picked as digits_cnn.main picks them (seed 0)."""
    sys.path.insert(0, str(EXAMPLES))
    import digits_cnn
    _, y_train, _, _ = digits_cnn.digits_dataset(0)
    return y_train[np.random.default_rng(1).permutation(len(y_train))[:CNN_PROBE]]


def test_digits_cnn_wide_layers_are_flagged_saturated(cnn_series):
    ceiling = math.log2(CNN_PROBE)
    h_y = entropy_bits(cnn_probe_labels())
    for layer, width in CNN_WIDE.items():
        ixt, ity = cnn_series[(layer, "I(X;T)")], cnn_series[(layer, "I(T;Y)")]
        print(f"cnn {layer} binning I(X;T): {describe(ixt)}; I(T;Y): {describe(ity)}")
        for point in ixt:
            assert "saturated" in point.get("flags", []), (layer, point)
            assert (point["n"], point["d"]) == (CNN_PROBE, width), (layer, point)
            assert point["value"] == pytest.approx(ceiling, abs=1e-9), (layer, point)  # log2 N: one sample per pattern
        for point in ity:
            assert "saturated" in point.get("flags", []), (layer, point)
            assert point["value"] == pytest.approx(h_y, abs=1e-9), (layer, point)  # then I(T;Y) = H(Y)


def test_szt_last_hidden_layer_is_not_saturated(szt_series):
    layer, width = SZT_LAST_HIDDEN
    ceiling = math.log2(SZT_PATTERNS)
    ixt, ity = szt_series[(layer, "I(X;T)")], szt_series[(layer, "I(T;Y)")]
    print(f"szt {layer} binning I(X;T): {describe(ixt)}; I(T;Y): {describe(ity)}")
    for point in ixt + ity:
        assert "saturated" not in point.get("flags", []), point
        assert (point["n"], point["d"]) == (SZT_PATTERNS, width), point
    for point in ixt:
        assert 3.0 < point["value"] < ceiling - 3.0, point  # far from log2 N: patterns repeat
    for point in ity:
        assert 0.0 <= point["value"] < 0.9992, point  # below H(Y) of the task's labels
