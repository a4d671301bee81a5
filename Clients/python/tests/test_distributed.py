"""torch.distributed: a DDP job, and an FSDP2 (fully_shard) one, on 2 processes (gloo) stream
ONE run each to the real daemon — every rank runs the probe forward on its share, rank 0
gathers and sends (examples/ddp_watch.py)."""

import subprocess
import sys

import numpy as np
import pytest

from conftest import PACKAGE_ROOT
from sink_report import scalars_of, sink_checksum, tallies_by_key, tally_checksum

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): DDP not tested")

sys.path.insert(0, str(PACKAGE_ROOT / "examples"))
import ddp_watch  # noqa: E402

WIDTHS = dict(ddp_watch.LAYERS, inputs=64, labels=1)


def _step0_activations(seed: int):
    """What rank 0 should have gathered at step 0, computed here the way the two ranks do:
    shares of ceil(101 / 2) = 51 rows (the last row repeated as padding), batches of 16,
    one thread each."""
    from infoplane.torch import watch

    class Keep:
        def log_frame(self, step, layers, **kwargs):
            self.layers = layers
            return True

    model = ddp_watch.build_model(seed)
    probe_x, probe_y = ddp_watch.probe_set(seed)
    parts = {name: [] for name in ddp_watch.LAYERS}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the ranks: the same kernels, the same float sums
    try:
        for rank in range(2):
            index = torch.arange(rank * 51, (rank + 1) * 51).clamp(max=100)
            keep = Keep()
            watch(model, list(ddp_watch.LAYERS), probe_x[index], probe_y[index], monitor=keep, distributed=False,
                  **ddp_watch.watch_options()).capture(0)
            for name in parts:
                parts[name].append(keep.layers[name])
    finally:
        torch.set_num_threads(threads)
    return {name: torch.cat(p)[:101].numpy() for name, p in parts.items()}, probe_y


@pytest.mark.parametrize("strategy", ["ddp", "fully_shard"])
def test_two_gloo_ranks_stream_one_run_with_the_reduced_widths(daemon, strategy):
    completed = subprocess.run(
        [sys.executable, str(PACKAGE_ROOT / "examples" / "ddp_watch.py"), "--world-size", "2", "--steps", "24",
         "--every", "8", "--address", daemon.socket_path, "--run", "ddp-test", "--strategy", strategy],
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-4000:]
    closed = [line for line in completed.stdout.splitlines() if line.startswith("monitor closed")]
    assert len(closed) == 1 and "errors 0, dropped 0" in closed[0], completed.stdout  # one monitor: rank 0's
    report = daemon.stop()
    assert report["runs"] == ["ddp-test"] and report["sessionsEnded"] == 1
    tallies = tallies_by_key(report)
    steps = [0, 8, 16, 24]
    assert sorted(tallies) == sorted(("ddp-test", layer, "probe", step) for layer in WIDTHS for step in steps)
    for (run, layer, split, step), tally in tallies.items():
        # 101 rows, not 2 x 101 (both ranks sending) nor 102 (the padding row left in).
        assert (tally["rows"], tally["values"], tally["chunks"]) == (101, 101 * WIDTHS[layer], 1), (layer, step)
    # Step 0 is the seeded initial model: the gathered rows are the single-process ones, in order.
    expected, probe_y = _step0_activations(0)
    ids = np.arange(101)
    for name, values in expected.items():
        assert tally_checksum(tallies[("ddp-test", name, "probe", 0)]) == sink_checksum(ids, values), name
    assert tally_checksum(tallies[("ddp-test", "labels", "probe", 0)]) == sink_checksum(ids, probe_y.numpy())
    assert sorted(s["step"] for s in scalars_of(report, "ddp-test")) == list(range(24))
