"""What the framework callbacks (`infoplane.lightning`, `infoplane.transformers`) share: their
settings, opening a Monitor on the sending rank, the torch watcher they drive from the
framework's step counter, and closing both when training ends."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Union

from .monitor import Monitor
from .torch import Watcher, watch


class ProbingCallback:
    """Settings and watcher of a framework callback. Subclasses call `_start` when
    training starts (with the model and whether this process sends), `_capture` at the
    steps to probe, and `_stop` when training ends."""

    def __init__(
        self,
        layers: Sequence[Union[str, Any]],
        probe_inputs: Any,
        probe_labels: Any,
        every: int,
        run: Optional[str],
        address: Optional[str],
        monitor: Optional[Monitor],
        metadata: Optional[Mapping[str, Any]],
        options: Optional[Mapping[str, Any]],
        log_metrics: bool,
        capture_at_end: bool,
        watch_options: Dict[str, Any],
    ) -> None:
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, not {every!r}")
        self.layers = list(layers)
        self.probe_inputs = probe_inputs
        self.probe_labels = probe_labels
        self.every = every
        self.run = run
        self.address = address
        self.monitor = monitor
        self.metadata = dict(metadata or {})
        self.options = options
        self.log_metrics = log_metrics
        self.capture_at_end = capture_at_end
        self.watch_options = watch_options
        self.watcher: Optional[Watcher] = None
        self._owns_monitor = False
        self._last_probe_step = -1

    def _start(self, model: Any, sends: bool, run: str, metadata: Mapping[str, Any]) -> None:
        """Opens the Monitor (on the sending process, unless one was given) and watches
        `model`; every rank watches, since a sharded model's probe forward needs them all."""
        if sends and self.monitor is None:
            self.monitor = Monitor(run=run, address=self.address, metadata={**metadata, **self.metadata},
                                   options=self.options)
            self._owns_monitor = True
        self.watcher = watch(model, self.layers, self.probe_inputs, self.probe_labels, every=self.every,
                             monitor=self.monitor if sends else None, on_forward=False, **self.watch_options)

    def _capture(self, step: int, epoch: Optional[int]) -> None:
        """Probes at `step`, once per step."""
        if self.watcher is None or step == self._last_probe_step:
            return
        self._last_probe_step = step
        self.watcher.capture(step, epoch=epoch)

    def _stop(self, forget_monitor: bool) -> None:
        """Removes the watcher and closes the Monitor this callback opened; with
        `forget_monitor`, drops it too, so that a later fit opens a new one."""
        if self.watcher is not None:
            self.watcher.remove()
            self.watcher = None
        if self._owns_monitor and self.monitor is not None:
            self.monitor.close()
            if forget_monitor:
                self.monitor = None
            self._owns_monitor = False
