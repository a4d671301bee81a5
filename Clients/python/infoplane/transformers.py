"""Hugging Face transformers: a TrainerCallback that streams probe frames (and the Trainer's
logged metrics) to infoplaned.

    from infoplane.transformers import InfoplaneTrainerCallback

    probe = tokenizer(texts, padding=True, return_tensors="pt")   # a fixed probe set
    callback = InfoplaneTrainerCallback(
        layers=["bert.encoder.layer.5", "classifier"], probe_inputs=probe, probe_labels=labels,
        every=200, run="bert-sst2-seed0", reduce={"bert.encoder.layer.5": "cls"})
    trainer = Trainer(model=model, args=args, train_dataset=..., callbacks=[callback])

It is `infoplane.torch.watch` underneath (the same hooks, reductions, device copies and
rank handling), triggered by the Trainer's `state.global_step`: before the optimizer step
that starts global step k, if k % every == 0, the probe set is evaluated (the model called
as model(**probe_batch), so a tokenizer's output works as it is; its attention_mask keeps
padding out of `tokens_mean`) and sent with step=k, and once more when training ends.
Transformer blocks return [N, T, D] token sequences: reduce them with 'cls' or
'tokens_mean' (the `auto` default falls back to tokens_mean only when flattening would not
fit the frame budget). Under torch.distributed every rank evaluates its share of the probe
and the world's process zero, the only one with a Monitor, sends one frame.

Optional extra: `pip install "infoplane[transformers]"`. Importing this module imports
transformers.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Mapping, Optional, Sequence, Union

from ._callback import ProbingCallback
from .monitor import Monitor

try:
    from transformers import TrainerCallback
except ImportError as exc:
    raise ImportError(
        "infoplane.transformers needs Hugging Face transformers, which is not installed "
        f"({exc}); install it with `pip install transformers` (or `pip install 'infoplane[transformers]'`)") from exc

__all__ = ["InfoplaneTrainerCallback"]

#: Entries of the Trainer's logs that are not per-step metrics, or are log_scalars' own parameters.
_SKIPPED_LOGS = frozenset({"epoch", "step", "split", "total_flos"})


class InfoplaneTrainerCallback(ProbingCallback, TrainerCallback):
    """Streams a transformers model's watched layers on a fixed probe set every `every`
    optimizer steps, and every number the Trainer logs (`loss`, `learning_rate`,
    `grad_norm`: split train; `eval_*`: split validation, prefix removed) at the step it
    is logged.

    `layers`, `probe_inputs` (a tensor, or a mapping of tensors such as a tokenizer's
    output), `probe_labels` and `watch_options` (reduce, roles, dtype, batch_size,
    frame_inputs, sample_ids, split) are those of `infoplane.torch.watch`, with layer names
    of the model given to the Trainer. The callback opens a Monitor on the world's process
    zero for `run` (default: the TrainingArguments' run_name) at `address`, with
    `metadata` and `options`, and closes it when training ends; pass `monitor` to use one
    of your own instead (then you close it, and metrics of a later trainer.evaluate() are
    sent too).
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
        ProbingCallback.__init__(self, layers, probe_inputs, probe_labels, every, run, address, monitor, metadata,
                                 options, log_metrics, capture_at_end, watch_options)

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if self.watcher is not None:
            return
        if model is None:
            raise ValueError("InfoplaneTrainerCallback needs the Trainer's model (on_train_begin got none)")
        self._start(model, sends=state.is_world_process_zero,
                    run=self.run or getattr(args, "run_name", None) or "transformers-trainer",
                    metadata={"framework": "transformers", "model": type(model).__name__})

    def _probe(self, state: Any) -> None:
        self._capture(int(state.global_step), epoch=int(state.epoch) if state.epoch is not None else None)

    def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.global_step % self.every == 0:
            self._probe(state)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.capture_at_end:
            self._probe(state)
        self._stop(forget_monitor=False)

    def on_log(self, args: Any, state: Any, control: Any, logs: Optional[Dict[str, Any]] = None, **kwargs: Any) -> None:
        monitor = self.monitor
        if not self.log_metrics or monitor is None or monitor.closed or not state.is_world_process_zero or not logs:
            return
        train: Dict[str, float] = {}
        validation: Dict[str, float] = {}
        for name, value in logs.items():
            if name in _SKIPPED_LOGS or not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            if not math.isfinite(float(value)):
                continue
            if name.startswith("eval_"):
                key = name[len("eval_"):]
                if key not in _SKIPPED_LOGS:
                    validation[key] = float(value)
            elif not name.startswith(("train_", "test_", "predict_")):  # end-of-run summaries (runtime, ...)
                train[name] = float(value)
        epoch = int(state.epoch) if state.epoch is not None else None
        if train:
            monitor.log_scalars(int(state.global_step), split="train", epoch=epoch, **train)
        if validation:
            monitor.log_scalars(int(state.global_step), split="validation", epoch=epoch, **validation)
