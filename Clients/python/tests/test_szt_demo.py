"""The numpy demo: the task's data set, and a short run streamed to the real daemon."""

import subprocess
import sys

import numpy as np

from conftest import PACKAGE_ROOT
from sink_report import scalars_of, tallies_by_key

sys.path.insert(0, str(PACKAGE_ROOT / "examples"))
import szt_demo  # noqa: E402

LAYERS = {"inputs": 12, "labels": 1, "layer1": 10, "layer2": 7, "layer3": 5, "layer4": 4, "layer5": 3, "output": 2}


def test_dataset_matches_the_published_var_u_statistics():
    x, y = szt_demo.szt_dataset()
    assert x.shape == (4096, 12) and len(np.unique(x, axis=0)) == 4096
    assert x[1].tolist() == [0] * 11 + [1] and x[2048][0] == 1  # row i holds the bits of i, MSB first
    assert round(y.mean(), 4) == 0.5171
    p = y.mean()
    assert round(-(p * np.log2(p) + (1 - p) * np.log2(1 - p)), 4) == 0.9992


def test_logged_epochs_are_log_spaced_plus_every_250():
    epochs = szt_demo.logged_epochs(8000, 0, 100)
    assert {0, 1, 2, 3, 250, 500, 7750, 8000} <= epochs
    assert len([e for e in epochs if e <= 100]) > 30 and len([e for e in epochs if 1000 < e < 2000]) < 15
    assert szt_demo.logged_epochs(10, 4, 100) == {0, 4, 8, 10}


def test_short_run_streams_every_layer_and_both_splits(daemon):
    completed = subprocess.run(
        [sys.executable, str(PACKAGE_ROOT / "examples" / "szt_demo.py"), "--epochs", "12", "--every", "5",
         "--address", daemon.socket_path, "--run", "demo-test", "--result-json"],
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    stats = [line for line in completed.stdout.splitlines() if line.startswith("monitor closed")]
    assert stats and "errors 0, dropped 0" in stats[0]
    report = daemon.stop()
    tallies = tallies_by_key(report)
    steps = {0: 0, 5: 5 * 13, 10: 10 * 13, 12: 12 * 13}  # 3277 training patterns, batch 256: 13 steps/epoch
    for epoch, step in steps.items():
        for layer, width in LAYERS.items():
            tally = tallies[("demo-test", layer, "probe", step)]
            assert (tally["rows"], tally["values"]) == (4096, 4096 * width), (epoch, layer)
    assert len({k for k in tallies if k[0] == "demo-test"}) == len(steps) * len(LAYERS)
    scalars = scalars_of(report, "demo-test")
    for split in ("train", "validation"):
        assert sorted(s["step"] for s in scalars if s["split"] == split) == [13 * e for e in range(13)]
        assert all(set(s["values"]) == {"loss", "accuracy"} for s in scalars if s["split"] == split)
