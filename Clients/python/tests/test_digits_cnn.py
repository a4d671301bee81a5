"""The digits CNN example (examples/digits_cnn.py): a short run streamed to the real daemon."""

import sys

import pytest

from conftest import PACKAGE_ROOT
from sink_report import scalars_of, tallies_by_key

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): the digits CNN example not tested")
pytest.importorskip("sklearn", reason="scikit-learn is not installed: the digits CNN example not tested")

sys.path.insert(0, str(PACKAGE_ROOT / "examples"))
import digits_cnn  # noqa: E402


def test_short_run_streams_the_four_layers(daemon, capsys):
    # One epoch (1297 images, batch 64: 21 steps), 96 probe images every 10 steps, the conv
    # maps as channel means; in-process to keep the test short (main() sets torch's threads).
    threads = torch.get_num_threads()
    try:
        assert digits_cnn.main(["--epochs", "1", "--every", "10", "--probe-size", "96", "--reduce", "channel_mean",
                                "--address", daemon.socket_path, "--run", "digits-test", "--quiet"]) == 0
    finally:
        torch.set_num_threads(threads)
    assert "trained 1 epochs (21 steps)" in capsys.readouterr().out
    report = daemon.stop()
    tallies = tallies_by_key(report)
    widths = {"conv1": 32, "conv2": 64, "fc1": 128, "fc2": 10, "inputs": 64, "labels": 1}
    assert sorted(tallies) == sorted(("digits-test", layer, "probe", step) for layer in widths for step in (0, 10, 20, 21))
    for (_, layer, _, step), tally in tallies.items():
        assert (tally["rows"], tally["values"]) == (96, 96 * widths[layer]), (layer, step)
    scalars = scalars_of(report, "digits-test")
    assert sorted((s["split"], s["step"]) for s in scalars) == [("train", 21), ("validation", 21)]
