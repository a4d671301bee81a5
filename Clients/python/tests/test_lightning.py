"""infoplane.lightning.InfoplaneCallback: a real Lightning Trainer (CPU, a tiny CNN built
here) streams one run to the real daemon, with the reductions it asked for."""

import logging
import warnings

import pytest

pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): the Lightning callback not tested")
lightning = pytest.importorskip("lightning.pytorch", reason="PyTorch Lightning is not installed (pip install lightning): "
                                "the Lightning callback not tested")

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

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


def test_lightning_trainer_streams_one_run_with_reduced_layers(daemon, tmp_path):
    from infoplane.lightning import InfoplaneCallback
    torch.manual_seed(0)
    x, y = torch.randn(64, 1, 6, 6), torch.randint(0, 3, (64,))
    probe_x, probe_y = torch.randn(40, 1, 6, 6), torch.randint(0, 3, (40,))
    callback = InfoplaneCallback(["conv", "fc", "out"], probe_x, probe_y, every=2, run="lightning-test",
                                 address=daemon.socket_path, reduce={"conv": "channel_mean"}, roles={"out": "output"})
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
    report = daemon.stop()
    assert report["runs"] == ["lightning-test"] and report["sessionsEnded"] == 1
    tallies = tallies_by_key(report)
    widths = {"conv": 4, "fc": 8, "out": 3, "inputs": 36, "labels": 1}
    assert sorted(tallies) == sorted(("lightning-test", layer, "probe", step) for layer in widths for step in (0, 2, 4, 5))
    for (_, layer, _, step), tally in tallies.items():
        assert (tally["rows"], tally["values"]) == (40, 40 * widths[layer]), (layer, step)
    scalars = scalars_of(report, "lightning-test")
    assert sorted(s["step"] for s in scalars if s["split"] == "train") == [0, 2, 4]
    assert all(set(s["values"]) == {"loss"} for s in scalars if s["split"] == "train")
    validation = [s for s in scalars if s["split"] == "validation"]
    assert [s["step"] for s in validation] == [4] and set(validation[0]["values"]) == {"loss", "acc"}
