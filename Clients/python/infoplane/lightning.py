"""PyTorch Lightning: a Callback that streams probe frames (and the training loss) of a
LightningModule to infoplaned.

    from infoplane.lightning import InfoplaneCallback

    callback = InfoplaneCallback(layers=["encoder.2", "head"], probe_inputs=x_probe,
                                 probe_labels=y_probe, every=100, run="mnist-seed0")
    trainer = lightning.Trainer(max_epochs=10, callbacks=[callback])
    trainer.fit(model, datamodule)

It is `infoplane.torch.watch` underneath (the same hooks, reductions, device copies and
rank handling), triggered by Lightning's step counter instead of counting forward passes:
before the training batch that starts global step k, if k % every == 0, the probe set is
evaluated and sent with step=k, and once more at the end of training. Under a distributed
strategy (DDP, FSDP) every rank evaluates its share of the probe and rank 0, the only one
with a Monitor, sends one frame.

Optional extra: `pip install "infoplane[lightning]"`. Importing this module imports
Lightning (`lightning.pytorch`, or the older `pytorch_lightning` package).
"""

from __future__ import annotations

import math
import time
from typing import Any, Dict, Mapping, Optional, Sequence, Union

from ._callback import ProbingCallback
from .monitor import Monitor

try:
    from lightning.pytorch.callbacks import Callback
except ImportError:  # the standalone package, same API
    try:
        from pytorch_lightning.callbacks import Callback
    except ImportError as exc:
        raise ImportError(
            "infoplane.lightning needs PyTorch Lightning, which is not installed "
            f"({exc}); install it with `pip install lightning` (or `pip install 'infoplane[lightning]'`)") from exc

__all__ = ["InfoplaneCallback"]


class InfoplaneCallback(ProbingCallback, Callback):
    """Streams a LightningModule's watched layers on a fixed probe set every `every`
    optimizer steps, and the training loss every `trainer.log_every_n_steps` steps.

    `layers`, `probe_inputs`, `probe_labels` and `watch_options` (reduce, roles, dtype,
    batch_size, frame_inputs, sample_ids, split) are those of `infoplane.torch.watch`; the
    layer names are the LightningModule's submodule names. The callback opens a Monitor on
    global rank 0 for `run` (default: the module's class name and the start time) at
    `address`, with `metadata` and `options`, and closes it when fitting ends; pass
    `monitor` to use one of your own instead (then you close it).

    Scalars: the loss returned by training_step (split train), and at the end of each
    validation run every scalar metric logged under a name starting with `val` (split
    validation, the `val_`/`val/` prefix removed). They are read at Lightning's own logging
    cadence only: turning a GPU loss into a number waits for the device.
    """

    def __init__(
        self,
        layers: Sequence[Union[str, Any]],
        probe_inputs: Any,
        probe_labels: Any,
        every: int = 100,
        *,
        run: Optional[str] = None,
        address: Optional[str] = None,
        monitor: Optional[Monitor] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        options: Optional[Mapping[str, Any]] = None,
        log_metrics: bool = True,
        capture_at_end: bool = True,
        **watch_options: Any,
    ) -> None:
        Callback.__init__(self)
        ProbingCallback.__init__(self, layers, probe_inputs, probe_labels, every, run, address, monitor, metadata,
                                 options, log_metrics, capture_at_end, watch_options)
        self._batch_step = 0

    # -- lifecycle -------------------------------------------------------------------------

    def setup(self, trainer: Any, pl_module: Any, stage: str) -> None:
        if stage != "fit" or self.watcher is not None:
            return
        name = type(pl_module).__name__
        self._start(pl_module, sends=trainer.global_rank == 0,
                    run=self.run or f"{name}-{time.strftime('%Y%m%d-%H%M%S')}",
                    metadata={"framework": "lightning", "module": name})

    def teardown(self, trainer: Any, pl_module: Any, stage: str) -> None:
        if stage == "fit":
            self._stop(forget_monitor=True)

    # -- probing ---------------------------------------------------------------------------

    def _probe(self, trainer: Any, step: int) -> None:
        self._capture(step, epoch=trainer.current_epoch)

    def on_train_batch_start(self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int) -> None:
        self._batch_step = step = trainer.global_step
        if step % self.every == 0:
            self._probe(trainer, step)

    def on_train_end(self, trainer: Any, pl_module: Any) -> None:
        if self.capture_at_end:
            self._probe(trainer, trainer.global_step)

    # -- scalars ---------------------------------------------------------------------------

    def _sending(self, trainer: Any) -> bool:
        return self.log_metrics and self.monitor is not None and trainer.global_rank == 0 and not self.monitor.closed

    def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        step = self._batch_step
        if not self._sending(trainer) or step % max(1, int(getattr(trainer, "log_every_n_steps", 50) or 1)):
            return
        loss = outputs.get("loss") if isinstance(outputs, Mapping) else outputs
        value = _number(loss)
        if value is not None:
            self.monitor.log_scalars(step, split="train", epoch=trainer.current_epoch, loss=value)

    def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
        if not self._sending(trainer) or getattr(trainer, "sanity_checking", False):
            return
        values: Dict[str, float] = {}
        for name, metric in trainer.callback_metrics.items():
            if not name.startswith("val"):
                continue
            value = _number(metric)
            key = _strip_prefix(name)
            if value is not None and key not in _RESERVED:
                values[key] = value
        if values:
            self.monitor.log_scalars(trainer.global_step, split="validation", epoch=trainer.current_epoch, **values)


#: log_scalars' own parameters: metrics of these names cannot be passed as keywords.
_RESERVED = frozenset({"step", "split", "epoch"})


def _strip_prefix(name: str) -> str:
    for prefix in ("val_", "val/", "val."):
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def _number(value: Any) -> Optional[float]:
    """A finite float from a Python number or a one-element tensor, else None."""
    try:
        if hasattr(value, "numel"):
            if value.numel() != 1:
                return None
            value = value.detach().item()
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
