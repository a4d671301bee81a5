"""PyTorch forward hooks: every N training steps, run a fixed probe set through the model
(eval mode, no gradients) and send the watched layers, the inputs and the labels as one
probe frame.

    from infoplane import Monitor
    from infoplane.torch import watch

    monitor = Monitor(run="cnn-seed0")
    watcher = watch(model, layers=["features.3", "classifier.1"],
                    probe_inputs=x_probe, probe_labels=y_probe, every=100, monitor=monitor,
                    reduce={"features.3": "channel_mean"})
    for x, y in loader:          # the probe runs before every 100th training forward pass
        loss = criterion(model(x), y); ...
    watcher.remove(); monitor.close()

What it costs the training thread: the probe forward pass (what was asked for), each
layer's reduction on the training device (`infoplane.reductions`: conv maps and token
sequences become one row per sample before anything is copied), a non-blocking copy of
the reduced rows into pinned host memory for CUDA tensors (on the CPU: each probe batch's
rows copied into the frame's buffer, reused from frame to frame), and handing the frame
to the monitor's sender thread, which waits for the copies (a CUDA event), checks and
encodes the values there (`Monitor.log_frame(borrow=True)`).

Under torch.distributed (DDP, FSDP's wrapper class, fully_shard) every rank runs the probe
forward on its share of the probe set, rank 0 gathers the reduced rows and sends one frame:
one run, not one per rank. Create the Monitor on rank 0 only (other ranks pass
monitor=None).

Importing `infoplane` never imports torch; this module imports it lazily and `watch` raises
a clear error when PyTorch is not installed.
"""

from __future__ import annotations

import importlib
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import reductions as _reductions
from .monitor import Monitor
from .reductions import (AUTO, Reduction, ReductionSpec, channel_mean, cls, flatten, random_projection,  # noqa: F401
                         tokens_mean)

#: Frame budget when the monitor does not say (a stand-in without max_message_bytes).
_DEFAULT_FRAME_BUDGET = 64 << 20


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


def _distributed(torch: Any, wanted: Optional[bool], group: Any) -> Optional[Tuple[int, int]]:
    """(rank, world size) when the probe is to be shared over torch.distributed ranks."""
    if wanted is False:
        return None
    dist = getattr(torch, "distributed", None)
    if dist is None or not dist.is_available() or not dist.is_initialized():
        if wanted:
            raise RuntimeError("distributed=True but torch.distributed is not initialized")
        return None
    world = dist.get_world_size(group)
    if world < 2 and not wanted:
        return None
    return dist.get_rank(group), world


def _unwrap(torch: Any, model: Any) -> Any:
    """The module whose forward the probe runs: DDP's inner module (DDP's own forward would
    take part in its buffer broadcasts and gradient bookkeeping), anything else as it is
    (FSDP's forward must run: it gathers the sharded parameters)."""
    ddp = getattr(getattr(torch.nn, "parallel", None), "DistributedDataParallel", None)
    return model.module if ddp is not None and isinstance(model, ddp) else model


def _names_root(torch: Any, model: Any) -> Any:
    """The module whose submodule names `layers` refers to: the model's own, without the
    `module.` (DDP) or `_fsdp_wrapped_module.` (FSDP's wrapper class) prefixes. fully_shard
    (FSDP2) keeps the model's structure and names."""
    model = _unwrap(torch, model)
    try:
        from torch.distributed.fsdp import FullyShardedDataParallel
    except ImportError:  # torch built without distributed support
        return model
    return model.module if isinstance(model, FullyShardedDataParallel) else model


class Watcher:
    """Forward hooks on a model that stream probe frames to a Monitor. Created by `watch`.

    A forward pre-hook on the model counts training-mode forward passes (one per optimizer
    step in the usual loop). Before the forward pass that starts step k (k passes done), if
    k % every == 0, the probe set is evaluated and sent with step=k; so step 0 is the
    untrained network. Call `capture(step)` to evaluate the probe at any other moment (the
    Lightning and Hugging Face callbacks do, with on_forward=False), and `remove()` (or use
    it as a context manager) to detach the hooks.

    `reductions` maps each layer to the reduction it is sent with (`auto` ones are decided
    at the first probe, see infoplane.reductions); `timings` holds the last capture's
    seconds on the training thread: `probe_forward` (the forward pass and the reductions),
    `gather` (ranks to rank 0) and `hand_off` (starting the host copies and queueing).
    """

    def __init__(
        self,
        model: Any,
        layers: Mapping[str, Any],
        probe_inputs: Any,
        probe_labels: Any,
        every: int,
        monitor: Optional[Monitor],
        *,
        split: str = "probe",
        sample_ids: Any = None,
        roles: Optional[Mapping[str, str]] = None,
        dtype: Any = None,
        batch_size: Optional[int] = None,
        step_fn: Optional[Callable[[], int]] = None,
        reduce: Union[ReductionSpec, Mapping[str, ReductionSpec], None] = None,
        frame_inputs: Any = None,
        on_forward: bool = True,
        distributed: Optional[bool] = None,
        group: Any = None,
    ) -> None:
        torch = self._torch = _import_torch()
        self.model = model
        self._forward_model = _unwrap(torch, model)
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
        self.group = group
        self.rank_world = _distributed(torch, distributed, group)
        if isinstance(reduce, Mapping):
            unknown = set(reduce) - set(self.layers)
            if unknown:
                raise ValueError(f"reduce names layers that are not watched: {sorted(unknown)}")
            specs = {name: reduce.get(name) for name in self.layers}
        else:
            specs = {name: reduce for name in self.layers}
        requested = {name: _reductions.resolve(spec) for name, spec in specs.items()}
        #: The reduction of every layer; None until `auto` layers are decided at the first probe.
        self.reductions: Dict[str, Optional[Reduction]] = {
            name: (None if spec is AUTO else spec) for name, spec in requested.items()}
        self.rows = int(_first_tensor(probe_inputs).shape[0])
        self._frame_inputs = _frame_inputs(probe_inputs, frame_inputs, self.rows)
        self._frame_labels = probe_labels.detach().cpu() if hasattr(probe_labels, "detach") else probe_labels
        self.training_forwards = 0
        self.frames_sent = 0
        self.timings: Dict[str, float] = {}
        self._capturing = False
        self._mask: Any = None
        self._parts: Dict[str, List[Any]] = {}
        self._raw: Dict[str, Any] = {}
        # CPU probes (see `_keep`): the capture's buffer per layer, the rows each holds so far,
        # the first row and the size of the probe batch running, and a buffer set the sender
        # has finished with.
        self._frame: Optional[Dict[str, Any]] = None
        self._filled: Dict[str, int] = {}
        self._row = 0
        self._batch_rows = 0
        self._spare: List[Dict[str, Any]] = []
        self._handles = [module.register_forward_hook(self._layer_hook(name)) for name, module in self.layers.items()]
        if on_forward:
            self._handles.append(model.register_forward_pre_hook(self._model_pre_hook))

    @property
    def rank(self) -> int:
        """This process's rank in the probe's group (0 when not distributed)."""
        return self.rank_world[0] if self.rank_world else 0

    # -- hooks -----------------------------------------------------------------------------

    def _layer_hook(self, name: str):
        def hook(module, inputs, output):
            if not self._capturing:
                return
            if isinstance(output, (tuple, list)):
                output = output[0]
            output = output.detach()
            reduction = self.reductions[name]
            if reduction is None:  # `auto`, first probe batch: decided once every layer's shape is known
                self._raw[name] = output
            else:
                self._keep(name, reduction, output)
        return hook

    def _keep(self, name: str, reduction: Reduction, output: Any) -> None:
        """Reduces one probe batch's output of layer `name` to rows [batch, features] and keeps them.

        On the CPU the rows are written into the capture's buffer for the layer [rows,
        features], at the batch's rows: the batch's activations are then freed at once (the
        next batch reuses their memory) and nothing is concatenated afterwards; `flatten`
        copies the output straight in, whatever its memory layout (a conv map in
        channels-last order would otherwise be copied twice). The buffers go to the sender
        thread as the frame and come back when it has written them (`release`), so the next
        capture writes into memory already mapped instead of fresh pages. Elsewhere (a GPU)
        the rows are kept as they are, concatenated on the device and copied to the host in
        one piece."""
        frame = self._frame
        if frame is None or output.device.type != "cpu":
            self._parts[name].append(reduction.apply(output, self._mask))
            return
        rows, start = int(output.shape[0]), self._row
        if rows != self._batch_rows:
            raise RuntimeError(f"watched layer {name!r} gave {rows} rows for a probe batch of {self._batch_rows} "
                               "samples; watch layers whose outputs have the samples first")
        filled = self._filled.get(name, 0)
        if filled != start:
            raise RuntimeError(f"watched layer {name!r} "
                               + ("ran more than once in a probe batch" if filled > start else "skipped a probe batch")
                               + "; watch a module that the model's forward() calls once per batch")
        reduced = None if reduction is flatten else reduction.apply(output, self._mask)
        width = flatten.features(tuple(output.shape)) if reduced is None else int(reduced.shape[1])
        dtype = output.dtype if reduced is None else reduced.dtype
        buffer = frame.get(name)
        if buffer is None or tuple(buffer.shape) != (self.rows, width) or buffer.dtype != dtype:
            buffer = frame[name] = self._torch.empty((self.rows, width), dtype=dtype)
        part = buffer[start:start + rows]
        if reduced is None:
            part.view(output.shape).copy_(output)
        else:
            part.copy_(reduced)
        self._filled[name] = start + rows

    def _release(self, frame: Dict[str, Any]) -> None:
        """Takes back a frame's buffers once the sender thread has written them (called on
        that thread); one set is kept for the next capture."""
        if not self._spare:
            self._spare.append(frame)

    def _model_pre_hook(self, module, inputs):
        if self._capturing or not module.training:
            return
        step = self.step_fn() if self.step_fn is not None else self.training_forwards
        self.training_forwards += 1
        if step % self.every == 0:
            self.capture(step)

    # -- probing ---------------------------------------------------------------------------

    def _shard(self) -> Any:
        """Row indices of the probe set this rank evaluates (None: all of them). Every rank
        gets ceil(rows / world) rows, the last real row repeated as padding, so that all
        ranks run the same number of probe batches (FSDP's forward is a collective) and
        gather equal shapes; rank 0 drops the padding."""
        if self.rank_world is None:
            return None
        rank, world = self.rank_world
        share = -(-self.rows // world)
        return self._torch.arange(rank * share, (rank + 1) * share).clamp(max=self.rows - 1)

    def _probe_batches(self, device: Any):
        """(positional input or keyword inputs, attention mask or None) per probe batch,
        on `device`."""
        torch = self._torch
        index = self._shard()
        count = self.rows if index is None else int(index.shape[0])
        size = self.batch_size or count
        for lo in range(0, count, size):
            hi = min(count, lo + size)
            rows = slice(lo, hi) if index is None else index[lo:hi]

            def take(t):
                part = t[rows] if index is None else t.index_select(0, rows.to(t.device))
                return part.to(device) if device is not None else part
            if isinstance(self.probe_inputs, Mapping):
                batch = {k: take(v) if isinstance(v, torch.Tensor) else v for k, v in self.probe_inputs.items()}
                yield batch, batch.get("attention_mask")
            else:
                yield take(self.probe_inputs), None

    def capture(self, step: int, epoch: Optional[int] = None) -> bool:
        """Runs the probe set through the model in eval mode without gradients and sends the
        watched layers (each reduced to one row per sample), the inputs and the labels as
        one frame. The model's train/eval mode is restored afterwards. Under
        torch.distributed every rank must call it at the same step; rank 0 sends. Returns
        Monitor.log_frame's result (False on the other ranks)."""
        torch = self._torch
        started = time.perf_counter()
        model = self._forward_model
        was_training = self.model.training
        device = next((p.device for p in model.parameters()), None)
        self._parts = {name: [] for name in self.layers}
        # On the CPU (one process) the rows go straight into the frame's buffers (`_keep`).
        if self.rank_world is None and (device is None or device.type == "cpu"):
            self._frame = self._spare.pop() if self._spare else {}
        self._filled = {}
        self._row = 0
        self._capturing = True
        try:
            self.model.eval()
            with torch.no_grad():
                for batch, mask in self._probe_batches(device):
                    self._mask = mask
                    self._batch_rows = int(_first_tensor(batch).shape[0])
                    if isinstance(batch, Mapping):
                        model(**batch)
                    else:
                        model(batch)
                    if any(r is None for r in self.reductions.values()):
                        self._decide_auto()
                    self._row += self._batch_rows
        finally:
            self._capturing = False
            self._mask = None
            self._raw = {}
            frame, self._frame = self._frame, None
            self.model.train(was_training)
        layers = {}
        for name, parts in self._parts.items():
            filled = self._filled.get(name, 0)
            if filled and (parts or filled != self.rows):
                raise RuntimeError(f"watched layer {name!r} ran for {filled} of the {self.rows} probe samples; "
                                   "watch a module that the model's forward() calls for every batch")
            if filled:
                layers[name] = frame[name]
            elif parts:
                layers[name] = torch.cat(parts) if len(parts) > 1 else parts[0]
            else:
                raise RuntimeError(f"watched layer {name!r} did not run during the probe forward pass; "
                                   "watch a module that the model's forward() calls")
        self._parts = {}
        self._filled = {}
        forwarded = time.perf_counter()
        if self.rank_world is not None:
            layers = self._gather(layers)
        gathered = time.perf_counter()
        queued = False
        if layers is not None:
            release = (lambda: self._release(frame)) if frame else None
            queued = self._hand_off(step, epoch, layers, release)
            self.frames_sent += int(queued)
            if not queued and frame:
                self._release(frame)  # dropped at once: nothing else holds the buffers
        self.timings = {"probe_forward": forwarded - started, "gather": gathered - forwarded,
                        "hand_off": time.perf_counter() - gathered}
        return queued

    def _decide_auto(self) -> None:
        """After the first probe batch: choose the `auto` layers' reductions so that the frame
        fits its budget (infoplane.reductions.choose_auto), the same on every rank (rank 0
        decides and broadcasts), and reduce the batch held back for it."""
        missing = [name for name, r in self.reductions.items() if r is None and name not in self._raw]
        if missing:
            raise RuntimeError(f"watched layers {missing} did not run during the probe forward pass; "
                               "watch modules that the model's forward() calls")
        shapes = {name: tuple(int(d) for d in t.shape) for name, t in self._raw.items()}
        value_bytes = {name: self._value_bytes(t) for name, t in self._raw.items()}
        other = self.rows * (8 + 8)  # sample ids and labels (I64)
        if self._frame_inputs is not None:
            other += self._frame_inputs.numel() * self._value_bytes(self._frame_inputs)
        for name, parts in self._parts.items():  # layers with a reduction of their own
            if name not in shapes and parts:
                other += self.rows * int(parts[0].shape[1]) * self._value_bytes(parts[0])
        chosen = _reductions.choose_auto(shapes, self.rows, value_bytes, other, self._budget())
        if self.rank_world is not None:
            names = [{name: reduction.name for name, reduction in chosen.items()}]
            self._torch.distributed.broadcast_object_list(names, src=self._global_rank0(), group=self.group)
            chosen = {name: _reductions.resolve(value) for name, value in names[0].items()}
        for name, raw in self._raw.items():
            self.reductions[name] = chosen[name]
            self._keep(name, chosen[name], raw)
        self._raw = {}

    def _value_bytes(self, tensor: Any) -> int:
        from ._tensors import ITEM_SIZE, wire_dtype_code
        if self.dtype is not None:
            return ITEM_SIZE[wire_dtype_code(self.dtype)]
        return 4 if not tensor.is_floating_point() else int(tensor.element_size())

    def _budget(self) -> int:
        """Bytes a frame may take: the daemon's max_message_bytes (its budget for a frame
        being received on a connection) and the client queue's bound, whichever is less."""
        monitor = self.monitor
        limits = [getattr(monitor, "max_message_bytes", None), getattr(monitor, "max_queue_bytes", None)]
        limits = [int(v) for v in limits if isinstance(v, int) and v > 0]
        return min(limits) if limits else _DEFAULT_FRAME_BUDGET

    def _global_rank0(self) -> int:
        dist = self._torch.distributed
        return dist.get_global_rank(self.group, 0) if self.group is not None else 0

    def _gather(self, layers: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """Every rank's reduced rows to rank 0, in rank order (= probe order), padding dropped.
        None on the other ranks."""
        torch = self._torch
        dist = torch.distributed
        rank, world = self.rank_world
        dst = self._global_rank0()
        gathered: Dict[str, Any] = {}
        for name, tensor in layers.items():
            tensor = tensor.contiguous()
            parts = [torch.empty_like(tensor) for _ in range(world)] if rank == 0 else None
            dist.gather(tensor, parts, dst=dst, group=self.group)
            if rank == 0:
                gathered[name] = torch.cat(parts)[:self.rows]
        return gathered if rank == 0 else None

    def _hand_off(self, step: int, epoch: Optional[int], layers: Dict[str, Any],
                  release: Optional[Callable[[], Any]] = None) -> bool:
        """Starts the device-to-host copies and queues the frame for the sender thread.

        CUDA tensors are copied with non_blocking=True into pinned host buffers (from
        PyTorch's caching host allocator) and a CUDA event is recorded behind the copies on
        each source device's current stream: the training thread goes on at once, the
        sender thread waits on the events before it reads the buffers. CPU tensors are handed
        over as they are (no copy here; the sender thread encodes them): the capture's own
        buffers, which training never touches and the watcher reuses only after the
        sender's `release`. Other devices are copied synchronously."""
        torch = self._torch
        host: Dict[str, Any] = {}
        devices = []  # CUDA devices with copies in flight: one event behind each one's copies
        for name, tensor in layers.items():
            if tensor.device.type == "cuda":
                buffer = torch.empty(tensor.shape, dtype=tensor.dtype, pin_memory=True)
                buffer.copy_(tensor, non_blocking=True)  # on the source device's current stream
                host[name] = buffer
                if tensor.device not in devices:
                    devices.append(tensor.device)
            elif tensor.device.type == "cpu":
                host[name] = tensor
            else:
                host[name] = tensor.cpu()
        ready = None
        if devices:
            events = []
            for device in devices:
                with torch.cuda.device(device):
                    event = torch.cuda.Event()
                    event.record()
                events.append(event)
            ready = events[0].synchronize if len(events) == 1 else (lambda: [e.synchronize() for e in events])
        if self.monitor is None:
            raise ValueError("this watcher has no monitor to send to: pass monitor=Monitor(run=...) (on rank 0)")
        return self.monitor.log_frame(
            step, layers=host, inputs=self._frame_inputs, labels=self._frame_labels, split=self.split,
            epoch=epoch, sample_ids=self.sample_ids, roles=self.roles, dtype=self.dtype, borrow=True, ready=ready,
            release=release)

    def remove(self) -> None:
        """Detaches every hook this watcher registered (and lets go of its spare buffers)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._spare = []

    def __enter__(self) -> "Watcher":
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


def _first_tensor(probe_inputs: Any) -> Any:
    if isinstance(probe_inputs, Mapping):
        for value in probe_inputs.values():
            if hasattr(value, "shape"):
                return value
        raise ValueError("probe_inputs (a mapping of keyword inputs) holds no tensor")
    return probe_inputs


def _frame_inputs(probe_inputs: Any, frame_inputs: Any, rows: int) -> Any:
    """What the frame sends as its inputs X, on the host, one row per sample: `frame_inputs`
    if given (False: none), else the probe inputs flattened, or for keyword inputs (a
    tokenizer's output) their `input_ids`. Computed once: the probe set is fixed."""
    if frame_inputs is False:
        return None
    if frame_inputs is None:
        if isinstance(probe_inputs, Mapping):
            frame_inputs = probe_inputs.get("input_ids")
            if frame_inputs is None:
                return None
        else:
            frame_inputs = probe_inputs
    if hasattr(frame_inputs, "detach"):
        frame_inputs = frame_inputs.detach().cpu()
    if int(frame_inputs.shape[0]) != rows:
        raise ValueError(f"frame_inputs has {frame_inputs.shape[0]} rows but the probe set has {rows}")
    return frame_inputs.reshape(rows, -1)


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
    reduce: Union[ReductionSpec, Mapping[str, ReductionSpec], None] = None,
    frame_inputs: Any = None,
    on_forward: bool = True,
    distributed: Optional[bool] = None,
    group: Any = None,
) -> Watcher:
    """Registers forward hooks on `model` that, every `every` training steps, evaluate the
    fixed probe set (`probe_inputs`, `probe_labels`) in eval mode without gradients and send
    each watched layer's output (reduced to one row per sample), the inputs and the labels
    to `monitor` as one probe frame.

    `layers` are submodule names (as in model.named_modules(); for a model wrapped in DDP or
    FSDP's wrapper class, of the model inside) or the modules themselves. `probe_inputs` is
    a tensor (the model is called as model(batch)) or a mapping of tensors such as a
    tokenizer's output (called as model(**batch); its `attention_mask` makes `tokens_mean`
    skip padding).
    `reduce` is one reduction for every layer or a mapping layer -> reduction: 'auto'
    (default), 'flatten', 'channel_mean', 'tokens_mean', 'cls' or
    infoplane.reductions.random_projection(dim, seed) (see infoplane.reductions).
    `roles` marks layers as e.g. "output" (default "hidden"); `dtype` ('f16', 'bf16', 'f32')
    converts activations before sending (default: their own dtype, bfloat16 included);
    `batch_size` evaluates large probe sets in pieces; `step_fn` supplies the step number
    (default: the count of training-mode forward passes so far); `on_forward=False` installs
    no step-counting hook (call `capture(step)` yourself); `frame_inputs` replaces what is
    sent as the inputs X (default: the probe inputs flattened, or `input_ids`; False: none).

    Under torch.distributed (`distributed=None`: whenever it is initialized with more than
    one rank; `group`: a process group, default the world) every rank must call `watch`
    with the same probe set and run the same steps: each evaluates its share, rank 0
    gathers and sends one frame. Only rank 0 needs a monitor.
    """
    torch = _import_torch()
    rank_world = _distributed(torch, distributed, group)
    if monitor is None and (rank_world is None or rank_world[0] == 0):
        raise ValueError("watch needs monitor=Monitor(run=...) to send the activations to (on rank 0 under torch.distributed)")
    if not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive integer, not {every!r}")
    rows = int(_first_tensor(probe_inputs).shape[0])
    if rows != int(probe_labels.shape[0]):
        raise ValueError(f"probe_inputs has {rows} rows but probe_labels has {probe_labels.shape[0]}")
    return Watcher(model, _resolve_layers(_names_root(torch, model), layers), probe_inputs, probe_labels, every, monitor,
                   split=split, sample_ids=sample_ids, roles=roles, dtype=dtype, batch_size=batch_size,
                   step_fn=step_fn, reduce=reduce, frame_inputs=frame_inputs, on_forward=on_forward,
                   distributed=distributed, group=group)
