"""PyTorch forward hooks: every N training steps, run a fixed probe set through the model
(eval mode, no gradients) and send the watched layers, the inputs and the labels as one
probe frame.

    from infoplane import Monitor
    from infoplane.torch import watch

    monitor = Monitor(run="cnn-seed0")
    watcher = watch(model, layers=["features.3", "classifier.1"],
                    probe_inputs=x_probe, probe_labels=y_probe, every=100, monitor=monitor)
    for x, y in loader:          # the probe runs before every 100th training forward pass
        loss = criterion(model(x), y); ...
    watcher.remove(); monitor.close()

Importing `infoplane` never imports torch; this module imports it lazily and `watch` raises
a clear error when PyTorch is not installed.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

from .monitor import Monitor


class TorchUnavailableError(ImportError):
    """PyTorch is not installed, so forward hooks cannot be used."""


def _import_torch():
    try:
        return importlib.import_module("torch")
    except ImportError as exc:
        raise TorchUnavailableError(
            "infoplane.torch.watch needs PyTorch, which is not installed "
            f"({exc}); install it with `pip install torch` (or `pip install 'infoplane[torch]'`), "
            "or send activations yourself with Monitor.log_activations / log_frame") from exc


class Watcher:
    """Forward hooks on a model that stream probe frames to a Monitor. Created by `watch`.

    A forward pre-hook on the model counts training-mode forward passes (one per optimizer
    step in the usual loop). Before the forward pass that starts step k (k passes done), if
    k % every == 0, the probe set is evaluated and sent with step=k; so step 0 is the
    untrained network. Call `capture(step)` to evaluate the probe at any other moment, and
    `remove()` (or use it as a context manager) to detach the hooks.
    """

    def __init__(
        self,
        model: Any,
        layers: Mapping[str, Any],
        probe_inputs: Any,
        probe_labels: Any,
        every: int,
        monitor: Monitor,
        *,
        split: str = "probe",
        sample_ids: Any = None,
        roles: Optional[Mapping[str, str]] = None,
        dtype: Any = None,
        batch_size: Optional[int] = None,
        step_fn: Optional[Callable[[], int]] = None,
    ) -> None:
        self._torch = _import_torch()
        self.model = model
        self.layers = dict(layers)
        self.probe_inputs = probe_inputs
        self.probe_labels = probe_labels
        self.every = every
        self.monitor = monitor
        self.split = split
        self.sample_ids = sample_ids
        self.roles = dict(roles or {})
        self.dtype = dtype
        self.batch_size = batch_size
        self.step_fn = step_fn
        self.training_forwards = 0
        self.frames_sent = 0
        self._capturing = False
        self._captured: Dict[str, List[Any]] = {}
        self._handles = [module.register_forward_hook(self._layer_hook(name)) for name, module in self.layers.items()]
        self._handles.append(model.register_forward_pre_hook(self._model_pre_hook))

    # -- hooks -----------------------------------------------------------------------------

    def _layer_hook(self, name: str):
        def hook(module, inputs, output):
            if not self._capturing:
                return
            if isinstance(output, (tuple, list)):
                output = output[0]
            self._captured[name].append(output.detach().reshape(output.shape[0], -1))
        return hook

    def _model_pre_hook(self, module, inputs):
        if self._capturing or not module.training:
            return
        step = self.step_fn() if self.step_fn is not None else self.training_forwards
        self.training_forwards += 1
        if step % self.every == 0:
            self.capture(step)

    # -- probing ---------------------------------------------------------------------------

    def _probe_batches(self):
        inputs = self.probe_inputs
        n = int(inputs.shape[0])
        size = self.batch_size or n
        for lo in range(0, n, size):
            yield inputs[lo:lo + size]

    def capture(self, step: int, epoch: Optional[int] = None) -> bool:
        """Runs the probe set through the model in eval mode without gradients and sends the
        watched layers (flattened per sample), the inputs and the labels as one frame.
        The model's train/eval mode is restored afterwards. Returns Monitor.log_frame's result."""
        torch = self._torch
        was_training = self.model.training
        self._captured = {name: [] for name in self.layers}
        self._capturing = True
        try:
            self.model.eval()
            device = next((p.device for p in self.model.parameters()), None)
            with torch.no_grad():
                for batch in self._probe_batches():
                    self.model(batch.to(device) if device is not None else batch)
        finally:
            self._capturing = False
            self.model.train(was_training)
        layers = {}
        for name, parts in self._captured.items():
            if not parts:
                raise RuntimeError(f"watched layer {name!r} did not run during the probe forward pass; "
                                   "watch a module that the model's forward() calls")
            layers[name] = torch.cat(parts) if len(parts) > 1 else parts[0]
        self._captured = {}
        inputs = self.probe_inputs.detach()
        inputs = inputs.reshape(inputs.shape[0], -1)
        queued = self.monitor.log_frame(
            step, layers=layers, inputs=inputs, labels=self.probe_labels, split=self.split,
            epoch=epoch, sample_ids=self.sample_ids, roles=self.roles, dtype=self.dtype)
        self.frames_sent += int(queued)
        return queued

    def remove(self) -> None:
        """Detaches every hook this watcher registered."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> "Watcher":
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


def _resolve_layers(model: Any, layers: Sequence[Union[str, Any]]) -> Dict[str, Any]:
    modules = dict(model.named_modules())
    names_of = {id(module): name for name, module in modules.items()}
    resolved: Dict[str, Any] = {}
    for layer in layers:
        if isinstance(layer, str):
            if layer not in modules:
                known = ", ".join(n for n in modules if n) or "(none)"
                raise ValueError(f"the model has no submodule named {layer!r}; its submodules are: {known}")
            resolved[layer] = modules[layer]
        elif id(layer) in names_of:
            resolved[names_of[id(layer)] or "model"] = layer
        else:
            raise ValueError(f"{type(layer).__name__} is not a submodule of the model; pass a module or its name")
    if not resolved:
        raise ValueError("watch needs at least one layer")
    return resolved


def watch(
    model: Any,
    layers: Sequence[Union[str, Any]],
    probe_inputs: Any,
    probe_labels: Any,
    every: int = 100,
    monitor: Optional[Monitor] = None,
    *,
    split: str = "probe",
    sample_ids: Any = None,
    roles: Optional[Mapping[str, str]] = None,
    dtype: Any = None,
    batch_size: Optional[int] = None,
    step_fn: Optional[Callable[[], int]] = None,
) -> Watcher:
    """Registers forward hooks on `model` that, every `every` training steps, evaluate the
    fixed probe set (`probe_inputs`, `probe_labels`) in eval mode without gradients and send
    each watched layer's output (flattened per sample), the inputs and the labels to
    `monitor` as one probe frame.

    `layers` are submodule names (as in model.named_modules()) or the modules themselves.
    `roles` marks layers as e.g. "output" (default "hidden"); `dtype` ('f16', 'bf16', 'f32')
    converts activations before sending (default: their own dtype, bfloat16 included);
    `batch_size` evaluates large probe sets in pieces; `step_fn` supplies the step number
    (default: the count of training-mode forward passes so far).
    """
    _import_torch()
    if monitor is None:
        raise ValueError("watch needs monitor=Monitor(run=...) to send the activations to")
    if not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive integer, not {every!r}")
    if int(probe_inputs.shape[0]) != int(probe_labels.shape[0]):
        raise ValueError(f"probe_inputs has {probe_inputs.shape[0]} rows but probe_labels has {probe_labels.shape[0]}")
    return Watcher(model, _resolve_layers(model, layers), probe_inputs, probe_labels, every, monitor,
                   split=split, sample_ids=sample_ids, roles=roles, dtype=dtype,
                   batch_size=batch_size, step_fn=step_fn)
