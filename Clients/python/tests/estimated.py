"""What the monitoring daemon (conftest's `monitoring_daemon`) made of a run an integration
streamed: wait until every frame it received is estimated, then check that the run is the
only one, that each frame the client sent has a point of every default estimate for every
watched layer, with the frame's rows and the layer's reduced width.

`FrameLog` (conftest's `frame_log` fixture) is the client side of the comparison: the
frames infoplane.Monitor queued in this process (step and the width of each layer) and the
stats each Monitor closed with.
"""

from __future__ import annotations

import time
from typing import Dict, List, Mapping, Sequence, Tuple

import pytest

#: [compression] dimension's default: the kNN and kernel estimates see each layer, and the
#: inputs X, PCA-compressed to at most this many dimensions; binning sees the layer as sent.
COMPRESSED = 5
#: The six default estimates, as (metric, estimator) of their series, and the dimension `d`
#: their points carry for a layer of `width` in a frame whose inputs are `inputs` wide.
ESTIMATES = {
    ("I(X;T)", "binning"): lambda width, inputs: width,
    ("I(T;Y)", "binning"): lambda width, inputs: width,
    ("I(X;T)", "ksg1"): lambda width, inputs: min(inputs, COMPRESSED) + min(width, COMPRESSED),  # X and T
    ("I(T;Y)", "mixed"): lambda width, inputs: min(width, COMPRESSED),
    ("DSE(T)", "dse"): lambda width, inputs: min(width, COMPRESSED),
    ("I(T;Y)", "dsmi"): lambda width, inputs: min(width, COMPRESSED),
}
#: Seconds the daemon gets to estimate a run's frames once the client has closed (a debug
#: build estimates these tiny frames in well under a second each).
ESTIMATION_TIMEOUT = 60.0


class FrameLog:
    """Records, in this process, every Monitor.log_frame call (`frames`: step, whether it
    was queued, {layer: width}) and the stats of every Monitor.close (`closed`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from infoplane.monitor import Monitor
        self.frames: List[Tuple[int, bool, Dict[str, int]]] = []
        self.closed: list = []
        log_frame, close = Monitor.log_frame, Monitor.close

        def logging_frame(monitor, step, layers, *args, **kwargs):
            queued = log_frame(monitor, step, layers, *args, **kwargs)
            widths = {name: int(values.shape[1]) if len(values.shape) > 1 else 1 for name, values in layers.items()}
            self.frames.append((int(step), bool(queued), widths))
            return queued

        def closing(monitor, *args, **kwargs):
            stats = close(monitor, *args, **kwargs)
            self.closed.append(stats)
            return stats

        monkeypatch.setattr(Monitor, "log_frame", logging_frame)
        monkeypatch.setattr(Monitor, "close", closing)

    def sent_steps(self) -> List[int]:
        """The steps of the frames queued, after checking that every frame was queued, and
        that the Monitor closed with every message acknowledged and none refused or dropped."""
        assert all(queued for _, queued, _ in self.frames), self.frames
        assert len(self.closed) == 1, self.closed
        stats = self.closed[0]
        assert (stats.errors, stats.dropped, stats.lost, stats.acked) == (0, 0, 0, stats.sent), stats
        return [step for step, _, _ in self.frames]

    def widths(self) -> Dict[str, int]:
        """Each layer's width as sent, the same in every frame."""
        widths = self.frames[0][2]
        assert all(w == widths for _, _, w in self.frames), self.frames
        return widths


def wait_until_estimated(daemon, run: str, last_step: int) -> dict:
    """Polls GET /v1/runs/{run} until no frame of `run` waits and its newest estimated step
    is `last_step`, at most ESTIMATION_TIMEOUT seconds; returns the run's detail."""
    deadline = time.monotonic() + ESTIMATION_TIMEOUT
    estimation = None
    while time.monotonic() < deadline:
        if daemon.process.poll() is not None:
            pytest.fail(f"infoplaned exited with {daemon.process.returncode}:\n{daemon.log()}")
        detail = daemon.get(f"/v1/runs/{run}")
        estimation = detail.get("estimation")
        if estimation and estimation["frames_waiting"] == 0 and estimation["newest_estimated_step"] == last_step:
            return detail
        time.sleep(0.2)
    pytest.fail(f"run {run}: frames up to step {last_step} not all estimated within {ESTIMATION_TIMEOUT} s "
                f"(estimation {estimation}):\n{daemon.log()}")


def assert_every_frame_estimated(daemon, run: str, steps: Sequence[int], widths: Mapping[str, int], inputs: int,
                                 rows: int) -> Dict[Tuple[str, str, str], list]:
    """`run` is the daemon's only run, its layers those of `widths`; once estimated, each
    of the frames sent at `steps` (the daemon's only frames: a fresh daemon) has a point of
    every default estimate (ESTIMATES) for each layer, over `rows` samples, `d` from the
    layer's width as sent and the frame's `inputs` width. Returns
    {(layer, metric, estimator): points}."""
    steps = list(steps)
    assert [r["name"] for r in daemon.get("/v1/runs")["runs"]] == [run]
    detail = wait_until_estimated(daemon, run, steps[-1])
    estimation = detail["estimation"]
    assert (estimation["newest_received_step"], estimation["lag_steps"], estimation["thinning_stride"]) == \
        (steps[-1], 0, 1), estimation
    # The watched layers, and `inputs`: its PCA basis (for KSG's X) is a series of the run.
    assert sorted(detail["layers"]) == sorted([*widths, "inputs"]), detail["layers"]
    pipeline = daemon.get("/healthz")["pipeline"]
    assert (pipeline["frames_estimated"], pipeline["frames_partial"], pipeline["frames_dropped"],
            pipeline["frames_thinned"], pipeline["estimates_failed"]) == (len(steps), 0, 0, 0, 0), pipeline
    body = daemon.get(f"/v1/runs/{run}/series", split="probe")
    series = {(s["layer"], s["metric"], s["estimator"]): s["points"] for s in body["series"]}
    for layer, width in widths.items():
        for (metric, estimator), dimension in ESTIMATES.items():
            points = series.get((layer, metric, estimator), [])
            assert [p["step"] for p in points] == steps, (layer, metric, estimator, points)
            d = dimension(width, inputs)
            for point in points:
                assert (point["n"], point["d"], point["partial"]) == (rows, d, False), (layer, metric, estimator, point)
    return series


def describe(series: Mapping[Tuple[str, str, str], list]) -> str:
    """One line per series: its steps and each point's n x d."""
    return "\n".join(f"{layer} {metric} {estimator}: " + ", ".join(f"{p['step']} ({p['n']}x{p['d']})" for p in points)
                     for (layer, metric, estimator), points in sorted(series.items()))
