"""torch.distributed: a DDP job, then an FSDP2 (fully_shard) one, on 2 processes (gloo)
stream ONE run each to the real daemon — every rank runs the probe forward on its share,
rank 0 gathers and sends (examples/ddp_watch.py's training, run by distributed_worker.py in
ranks this test spawns). Then the DDP job against the monitoring pipeline: one run, every
frame rank 0 sent estimated."""

import re
import sys

import numpy as np
import pytest

from conftest import PACKAGE_ROOT
from estimated import assert_every_frame_estimated, describe
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


STRATEGIES = ("ddp", "fully_shard")
#: distributed_worker's 24 steps, a frame every 8 and one of the trained model.
STEPS = [0, 8, 16, 24]


def train_on_two_gloo_ranks(address, strategies, capfd, tmp_path):
    """Spawns two ranks that train the example once per strategy, streaming the run
    ddp-test-<strategy> to `address`; returns rank 0's report lines, one per strategy:
    (frames sent, its Monitor's stats line), after checking that only rank 0 reported and
    that nothing was refused or dropped."""
    import torch.multiprocessing as mp
    import distributed_worker
    mp.spawn(distributed_worker.run_strategies, args=(2, str(tmp_path / "rendezvous"), address, strategies),
             nprocs=2, join=True)
    out = capfd.readouterr().out
    closed = [line for line in out.splitlines() if line.startswith("monitor closed")]
    assert len(closed) == len(strategies) and all("errors 0, dropped 0" in c for c in closed), out  # rank 0's only
    report = rf"(\d+) frames of {ddp_watch.PROBE_ROWS} probe samples from 2 ranks"
    frames = [int(m.group(1)) for m in re.finditer(report, out)]
    assert len(frames) == len(strategies), out
    return list(zip(frames, closed))


def test_two_gloo_ranks_stream_one_run_with_the_reduced_widths(daemon, capfd, tmp_path):
    """Two ranks train the example's CNN under DDP, then under fully_shard (FSDP2), each
    streaming one run: never a run, a session or a row per rank."""
    train_on_two_gloo_ranks(daemon.socket_path, STRATEGIES, capfd, tmp_path)
    report = daemon.stop()
    runs = [f"ddp-test-{s}" for s in STRATEGIES]
    assert report["runs"] == sorted(runs) and report["sessionsEnded"] == len(runs)
    tallies = tallies_by_key(report)
    assert sorted(tallies) == sorted((run, layer, "probe", step) for run in runs for layer in WIDTHS for step in STEPS)
    for (run, layer, split, step), tally in tallies.items():
        # 101 rows, not 2 x 101 (both ranks sending) nor 102 (the padding row left in).
        assert (tally["rows"], tally["values"], tally["chunks"]) == (101, 101 * WIDTHS[layer], 1), (run, layer, step)
    # Step 0 is the seeded initial model: the gathered rows are the single-process ones, in order.
    expected, probe_y = _step0_activations(0)
    ids = np.arange(101)
    for run in runs:
        for name, values in expected.items():
            assert tally_checksum(tallies[(run, name, "probe", 0)]) == sink_checksum(ids, values), (run, name)
        assert tally_checksum(tallies[(run, "labels", "probe", 0)]) == sink_checksum(ids, probe_y.numpy())
        assert sorted(s["step"] for s in scalars_of(report, run)) == list(range(24))


def test_two_gloo_ranks_get_every_frame_estimated(monitoring_daemon, capfd, tmp_path):
    """DDP on two gloo ranks against the monitoring pipeline: one run (not one per rank),
    and each of the frames rank 0 sent estimated for each watched layer at its reduced
    width, over the 101 gathered rows."""
    [(frames, closed)] = train_on_two_gloo_ranks(monitoring_daemon.socket_path, ("ddp",), capfd, tmp_path)
    sent, acked = map(int, re.search(r"sent (\d+), acked (\d+)", closed).groups())
    assert frames == len(STEPS) and acked == sent, closed
    series = assert_every_frame_estimated(monitoring_daemon, "ddp-test-ddp", STEPS, ddp_watch.LAYERS, WIDTHS["inputs"],
                                          ddp_watch.PROBE_ROWS)
    print(closed)
    print(describe(series))
