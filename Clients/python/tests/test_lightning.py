"""infoplane.lightning.InfoplaneCallback: a real Lightning Trainer (CPU, a tiny CNN built
here) streams one run to the real daemon, with the reductions it asked for: what the
daemon received (the counting sink), then what it estimated (the monitoring pipeline:
every frame sent, every watched layer at its reduced width)."""

import logging
import warnings

import pytest

pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): the Lightning callback not tested")
lightning = pytest.importorskip("lightning.pytorch", reason="PyTorch Lightning is not installed (pip install lightning): "
                                "the Lightning callback not tested")

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from estimated import assert_every_frame_estimated, describe  # noqa: E402
from sink_report import scalars_of, tallies_by_key  # noqa: E402


class TinyCNN(lightning.LightningModule):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU())
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(4 * 6 * 6, 8), nn.Tanh())
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        return self.out(self.fc(self.conv(x)))

    def training_step(self, batch, batch_idx):
        x, y = batch
        return nn.functional.cross_entropy(self(x), y)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", nn.functional.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


PROBE_ROWS = 40
#: Frames at steps 0, 2, 4 (every=2, before steps 0, 2 and 4 of max_steps=5) and at the end (5).
STEPS = [0, 2, 4, 5]
#: The watched layers' widths as sent: conv by channel_mean (4 channels), the others as they are.
WIDTHS = {"conv": 4, "fc": 8, "out": 3}
INPUTS = 36  # the 1x6x6 probe images, flattened


def fit_tiny_cnn(run, address, tmp_path):
    """Fits TinyCNN for 5 steps with an InfoplaneCallback streaming `run` to `address`;
    returns the callback."""
    from infoplane.lightning import InfoplaneCallback
    torch.manual_seed(0)
    x, y = torch.randn(64, 1, 6, 6), torch.randint(0, 3, (64,))
    probe_x, probe_y = torch.randn(PROBE_ROWS, 1, 6, 6), torch.randint(0, 3, (PROBE_ROWS,))
    callback = InfoplaneCallback(list(WIDTHS), probe_x, probe_y, every=2, run=run,
                                 address=address, reduce={"conv": "channel_mean"}, roles={"out": "output"})
    trainer = lightning.Trainer(max_steps=5, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                                enable_progress_bar=False, enable_model_summary=False, log_every_n_steps=2,
                                val_check_interval=4, limit_val_batches=1, num_sanity_val_steps=0,
                                default_root_dir=str(tmp_path), callbacks=[callback])
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Lightning's advice on workers and batch sizes
        trainer.fit(TinyCNN(), DataLoader(TensorDataset(x, y), batch_size=8),
                    DataLoader(TensorDataset(x[:16], y[:16]), batch_size=16))
    assert callback.monitor is None and callback.watcher is None  # closed and detached at teardown
    return callback


def test_lightning_trainer_streams_one_run_with_reduced_layers(daemon, tmp_path):
    fit_tiny_cnn("lightning-test", daemon.socket_path, tmp_path)
    report = daemon.stop()
    assert report["runs"] == ["lightning-test"] and report["sessionsEnded"] == 1
    tallies = tallies_by_key(report)
    widths = dict(WIDTHS, inputs=INPUTS, labels=1)
    assert sorted(tallies) == sorted(("lightning-test", layer, "probe", step) for layer in widths for step in STEPS)
    for (_, layer, _, step), tally in tallies.items():
        assert (tally["rows"], tally["values"]) == (PROBE_ROWS, PROBE_ROWS * widths[layer]), (layer, step)
    scalars = scalars_of(report, "lightning-test")
    assert sorted(s["step"] for s in scalars if s["split"] == "train") == [0, 2, 4]
    assert all(set(s["values"]) == {"loss"} for s in scalars if s["split"] == "train")
    validation = [s for s in scalars if s["split"] == "validation"]
    assert [s["step"] for s in validation] == [4] and set(validation[0]["values"]) == {"loss", "acc"}


def test_lightning_trainer_gets_every_frame_estimated(monitoring_daemon, frame_log, tmp_path):
    """The same fit against the monitoring pipeline: one run, and each frame the callback
    sent estimated for each watched layer at its reduced width."""
    fit_tiny_cnn("lightning-estimated", monitoring_daemon.socket_path, tmp_path)
    assert frame_log.sent_steps() == STEPS and frame_log.widths() == WIDTHS
    series = assert_every_frame_estimated(monitoring_daemon, "lightning-estimated", STEPS, WIDTHS, INPUTS, PROBE_ROWS)
    print(describe(series))
