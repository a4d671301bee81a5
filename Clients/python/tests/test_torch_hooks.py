"""infoplane.torch.watch: forward hooks that send the probe set's activations every N steps."""

import numpy as np
import pytest

try:
    import torch
    from torch import nn
except ImportError:
    torch = None

from infoplane import Monitor
from sink_report import sink_checksum, tallies_by_key, tally_checksum

pytestmark = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (pip install torch): torch hooks not tested")


class RecordingMonitor:
    """Stands in for Monitor.log_frame to look at what the hooks hand over."""

    def __init__(self):
        self.frames = []

    def log_frame(self, step, layers, inputs=None, labels=None, **kwargs):
        self.frames.append(dict(step=step, layers=layers, inputs=inputs, labels=labels, **kwargs))
        return True


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Dropout(0.5), nn.Linear(5, 3), nn.Tanh(), nn.Linear(3, 2))


def _train(model, steps):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(32, 6), torch.randint(0, 2, (32,))
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_probe_runs_every_n_steps_in_eval_mode_without_gradients():
    from infoplane.torch import watch
    model = _model()
    probe_x, probe_y = torch.randn(50, 6), torch.randint(0, 2, (50,))
    recorder = RecordingMonitor()
    seen = []
    model[1].register_forward_hook(lambda m, i, o: seen.append((model.training, torch.is_grad_enabled())))
    watcher = watch(model, layers=["1", model[4]], probe_inputs=probe_x, probe_labels=probe_y, every=3, monitor=recorder)
    model.train()
    _train(model, 7)
    assert [f["step"] for f in recorder.frames] == [0, 3, 6]
    assert model.training  # restored after each probe
    probe_calls = [s for s in seen if s == (False, False)]
    assert len(probe_calls) == 3 and len(seen) == 7 + 3
    frame = recorder.frames[-1]
    assert set(frame["layers"]) == {"1", "4"}
    # The hooked activations equal a plain eval-mode forward pass (dropout off); step 6's
    # probe ran before the 7th update, so compare a capture taken now.
    watcher.capture(step=99)
    model.eval()
    with torch.no_grad():
        expected = model[:2](probe_x)
    torch.testing.assert_close(recorder.frames[-1]["layers"]["1"], expected)
    assert recorder.frames[-1]["layers"]["4"].shape == (50, 3)
    assert not recorder.frames[-1]["layers"]["1"].requires_grad
    watcher.remove()
    model.train()
    _train(model, 3)
    assert recorder.frames[-1]["step"] == 99  # hooks gone


def test_conv_outputs_are_flattened_per_sample_and_batched():
    from infoplane.torch import watch
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    probe_x, probe_y = torch.randn(10, 1, 8, 8), torch.arange(10) % 2
    recorder = RecordingMonitor()
    watcher = watch(model, ["1"], probe_x, probe_y, every=1, monitor=recorder, batch_size=4)
    watcher.capture(0)
    frame = recorder.frames[0]
    assert frame["layers"]["1"].shape == (10, 144)
    assert frame["inputs"].shape == (10, 64)
    with torch.no_grad():
        torch.testing.assert_close(frame["layers"]["1"], model[:2](probe_x).reshape(10, -1))


def test_unknown_layer_and_bad_arguments_are_explained():
    from infoplane.torch import watch
    model = _model()
    with pytest.raises(ValueError, match="no submodule named 'fc9'"):
        watch(model, ["fc9"], torch.zeros(2, 6), torch.zeros(2), monitor=RecordingMonitor())
    with pytest.raises(ValueError, match="monitor"):
        watch(model, ["1"], torch.zeros(2, 6), torch.zeros(2))
    with pytest.raises(ValueError, match="rows"):
        watch(model, ["1"], torch.zeros(2, 6), torch.zeros(3), monitor=RecordingMonitor())


def test_bfloat16_model_activations_reach_the_daemon_as_bf16(daemon):
    from infoplane.torch import watch
    model = _model().to(torch.bfloat16)
    probe_x = torch.randn(64, 6).to(torch.bfloat16)
    probe_y = torch.randint(0, 3, (64,))
    with Monitor(run="torch-bf16", address=daemon.socket_path) as monitor:
        watcher = watch(model, ["1", "5"], probe_x, probe_y, every=2, monitor=monitor, roles={"5": "output"})
        model.train()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        for _ in range(4):  # probes at steps 0 and 2
            loss = model(probe_x).float().pow(2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            final = model[:2](probe_x)
        watcher.capture(step=4)
        assert monitor.flush(10)
        stats = monitor.stats
    assert stats.errors == 0 and stats.dropped == 0 and stats.sent == 3 * 4
    tallies = tallies_by_key(daemon.stop())
    assert {k[3] for k in tallies} == {0, 2, 4}
    ids = np.arange(64)
    expected = (final.view(torch.int16).numpy().view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    assert tally_checksum(tallies[("torch-bf16", "1", "probe", 4)]) == sink_checksum(ids, expected)
    assert tally_checksum(tallies[("torch-bf16", "labels", "probe", 4)]) == sink_checksum(ids, probe_y.numpy())
    assert tallies[("torch-bf16", "5", "probe", 4)]["values"] == 64 * 2
    assert tallies[("torch-bf16", "inputs", "probe", 0)]["values"] == 64 * 6
