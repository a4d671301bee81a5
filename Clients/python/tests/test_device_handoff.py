"""Handing a probe frame to the sender thread without copying it on the training thread
(Monitor.log_frame(borrow=True), what infoplane.torch uses after its non-blocking device
copies): the hand-off is timed, the data arrives intact, the wait for the copies and the
encoding happen on the sender thread."""

import threading
import time

import numpy as np
import pytest

from infoplane import Monitor
from call_timing import assert_never_waited
from sink_report import sink_checksum, tallies_by_key, tally_checksum

try:
    import torch
    from torch import nn
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (pip install torch): torch hand-off not tested")


def test_borrowed_frame_arrives_intact_and_is_encoded_on_the_sender_thread(daemon):
    rng = np.random.default_rng(21)
    wide = rng.standard_normal((700, 300)).astype(np.float32)  # 840 kB: three chunks of 300 kB
    half = rng.standard_normal((700, 5)).astype(np.float16)
    labels = rng.integers(0, 4, 700)
    waited_on = []
    with Monitor(run="borrowed", address=daemon.socket_path, chunk_bytes=300_000) as monitor:
        assert monitor.log_frame(3, layers={"wide": wide, "half": half}, labels=labels, borrow=True,
                                 ready=lambda: waited_on.append(threading.current_thread().name))
        assert monitor.flush(20)
        stats = monitor.stats
    assert waited_on == ["infoplane-sender"]
    assert stats.errors == 0 and stats.dropped == 0 and stats.sent == stats.acked == 3 + 1 + 1
    tallies = tallies_by_key(daemon.stop())
    ids = np.arange(700)
    assert tally_checksum(tallies[("borrowed", "wide", "probe", 3)]) == sink_checksum(ids, wide)
    assert tallies[("borrowed", "wide", "probe", 3)]["chunks"] == 3
    assert tally_checksum(tallies[("borrowed", "half", "probe", 3)]) == sink_checksum(ids, half.astype(np.float32))
    assert tally_checksum(tallies[("borrowed", "labels", "probe", 3)]) == sink_checksum(ids, labels.astype(np.int64))


def test_non_finite_values_in_a_borrowed_frame_are_dropped_on_the_sender_thread(daemon, caplog):
    values = np.ones((10, 3), dtype=np.float32)
    values[4, 1] = np.nan
    with Monitor(run="borrowed-nan", address=daemon.socket_path) as monitor:
        assert monitor.log_frame(1, layers={"bad": values}, borrow=True)  # queued: checked later
        assert monitor.log_frame(2, layers={"good": np.ones((10, 3), dtype=np.float32)}, borrow=True)
        assert monitor.flush(10)
        stats = monitor.stats
    assert stats.dropped_records == 1 and stats.dropped == 1 and stats.acked == 1 and stats.errors == 0
    assert any("NaN" in r.getMessage() and "step 1" in r.getMessage() for r in caplog.records)
    assert [k[1] for k in tallies_by_key(daemon.stop())] == ["good"]


def test_a_failing_wait_drops_that_frame_and_the_sender_goes_on(daemon, caplog):
    def failed_copy():
        raise RuntimeError("CUDA error: an illegal memory access was encountered")

    with Monitor(run="borrowed-failed", address=daemon.socket_path) as monitor:
        assert monitor.log_frame(1, layers={"lost": np.ones((4, 2), dtype=np.float32)}, ready=failed_copy)
        assert monitor.log_frame(2, layers={"kept": np.ones((4, 2), dtype=np.float32)}, borrow=True)
        assert monitor.flush(10)
        stats = monitor.stats
    assert stats.dropped_records == 1 and stats.acked == 1 and stats.errors == 0
    assert any("illegal memory access" in r.getMessage() for r in caplog.records)
    assert [k[1] for k in tallies_by_key(daemon.stop())] == ["kept"]


def test_borrowed_shapes_are_still_checked_on_the_calling_thread():
    with Monitor(run="borrowed-shapes", address="/nonexistent/socket", close_timeout=0.1) as monitor:
        with pytest.raises(ValueError, match="same, non-zero number of rows"):
            monitor.log_frame(0, layers={"a": np.ones((3, 2)), "b": np.ones((4, 2))}, borrow=True)
        with pytest.raises(ValueError, match="cannot send values as"):
            monitor.log_frame(0, layers={"a": np.ones((3, 2))}, borrow=True, dtype="int8")


@needs_torch
def test_the_hand_off_does_not_copy_on_the_training_thread():
    """Times the watcher's hand-off (after the probe forward: the host copies are started and
    the frame is queued), not the training: for a 1024-sample frame of 25 MB (the digits
    CNN's four layers flattened) it must not cost what copying and encoding the frame does,
    which the same frame logged the copying way (log_frame without borrow) shows."""
    from infoplane.torch import watch
    torch.manual_seed(0)
    # The digits CNN's layer sizes (2048, 4096, 128, 10 features) at a fraction of its
    # compute (1x1 convolutions): the probe forward is not what is timed.
    model = nn.Sequential(nn.Conv2d(1, 32, 1), nn.ReLU(), nn.Conv2d(32, 64, 1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU(), nn.Linear(128, 10))
    x, y = torch.randn(1024, 1, 8, 8), torch.randint(0, 10, (1024,))
    # No daemon: every frame is queued (or dropped when the queue is full) and never waits.
    monitor = Monitor(run="hand-off", address="/nonexistent/infoplane.sock", close_timeout=0.1)
    try:
        watcher = watch(model, ["1", "3", "7", "8"], x, y, every=1, monitor=monitor)
        hand_offs, copies = [], []
        for step in range(10):
            watcher.capture(step)
            hand_offs.append(watcher.timings["hand_off"])
        assert {n: r.name for n, r in watcher.reductions.items()} == dict.fromkeys(["1", "3", "7", "8"], "flatten")
        model.eval()
        with torch.no_grad():
            layers = {"1": model[:2](x).reshape(1024, -1), "3": model[:4](x).reshape(1024, -1)}
        for step in range(5):
            started = time.perf_counter()
            monitor.log_frame(step, layers=layers, inputs=x.reshape(1024, -1), labels=y)
            copies.append(time.perf_counter() - started)
    finally:
        monitor.close(timeout=0.1)
    assert_never_waited(hand_offs)
    # Copying and encoding the same (smaller: two of the four layers) frame takes many times
    # longer; a loose factor, since both are timed on a loaded machine.
    print(f"hand-off median {np.median(hand_offs) * 1e3:.3f} ms, copying log_frame median {np.median(copies) * 1e3:.1f} ms")
    assert np.median(copies) > 5 * np.median(hand_offs), (np.median(copies), np.median(hand_offs))


@needs_torch
def test_cuda_outputs_are_copied_non_blocking_into_pinned_buffers_behind_an_event(monkeypatch):
    """No GPU here: stand-ins for a CUDA tensor, pinned allocation and CUDA events check the
    order of what the hand-off does on the training thread: pinned buffer, non-blocking copy,
    an event recorded behind the copies; the frame's `ready` waits on that event."""
    from infoplane.torch import Watcher
    log = []

    class CudaDevice:
        type = "cuda"

    class CudaTensor:
        device = CudaDevice()

        def __init__(self, values):
            self.values, self.shape, self.dtype = values, values.shape, values.dtype

    class PinnedBuffer:
        def __init__(self, shape, dtype, pin_memory):
            log.append(("empty", tuple(shape), pin_memory))
            self.shape, self.dtype, self.values = shape, dtype, None

        def copy_(self, source, non_blocking=False):
            log.append(("copy", non_blocking))
            self.values = source.values

    class Event:
        def record(self):
            log.append(("record",))

        def synchronize(self):
            log.append(("synchronize",))

    monkeypatch.setattr(torch, "empty", lambda shape, dtype=None, pin_memory=False: PinnedBuffer(shape, dtype, pin_memory))
    monkeypatch.setattr(torch.cuda, "Event", Event)
    monkeypatch.setattr(torch.cuda, "device", lambda device: __import__("contextlib").nullcontext())

    class Recorder:
        def log_frame(self, step, layers, **kwargs):
            self.layers, self.kwargs = layers, kwargs
            return True

    watcher = Watcher.__new__(Watcher)  # only _hand_off is exercised: no model, no hooks
    watcher._torch, watcher.monitor = torch, Recorder()
    watcher._frame_inputs = watcher._frame_labels = watcher.sample_ids = watcher.dtype = None
    watcher.split, watcher.roles = "probe", {}
    values = torch.randn(4, 3)
    assert watcher._hand_off(7, None, {"fc": CudaTensor(values)})
    assert log == [("empty", (4, 3), True), ("copy", True), ("record",)]  # nothing waited for yet
    frame = watcher.monitor
    assert frame.kwargs["borrow"] is True and frame.layers["fc"].values is values
    frame.kwargs["ready"]()  # what the sender thread calls before reading the buffers
    assert log[-1] == ("synchronize",)


def test_release_is_called_on_the_sender_thread_once_the_frame_is_written(daemon):
    """`release` tells the owner of a borrowed frame that its arrays are read no more: once,
    on the sender thread, after the last chunk went out; never for a frame that is dropped."""
    released = []
    values = np.arange(700 * 300, dtype=np.float32).reshape(700, 300)  # three chunks of 300 kB
    bad = np.ones((4, 2), dtype=np.float32)
    bad[1, 1] = np.inf
    with Monitor(run="released", address=daemon.socket_path, chunk_bytes=300_000) as monitor:
        assert monitor.log_frame(1, layers={"wide": values}, release=lambda: released.append(
            (threading.current_thread().name, monitor.stats.sent)))
        assert monitor.log_frame(2, layers={"bad": bad}, borrow=True, release=lambda: released.append("dropped"))
        assert monitor.flush(20)
        stats = monitor.stats
    assert released == [("infoplane-sender", 3)]  # all three chunks sent (counted) before it
    assert stats.acked == 3 and stats.dropped_records == 1
    tallies = tallies_by_key(daemon.stop())
    assert tally_checksum(tallies[("released", "wide", "probe", 1)]) == sink_checksum(np.arange(700), values)


@needs_torch
def test_cpu_probe_rows_go_into_frame_buffers_reused_only_after_release():
    """On the CPU each probe batch's reduced rows are written into the frame's buffer (conv
    maps in channels-last order included, batches of uneven size); a buffer is written
    again only after the monitor released the frame that carried it."""
    from infoplane.torch import watch

    class Recorder:
        def __init__(self, releases):
            self.releases, self.frames = releases, []

        def log_frame(self, step, layers, release=None, **kwargs):
            self.frames.append({name: (tensor, tensor.clone()) for name, tensor in layers.items()})
            if self.releases and release is not None:
                release()
            return True

    torch.manual_seed(3)
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(),
                          nn.Flatten(), nn.Linear(6 * 36, 3))
    x = torch.randn(22, 2, 6, 6).contiguous(memory_format=torch.channels_last)
    y = torch.arange(22) % 3
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for releases in (False, True):
        recorder = Recorder(releases)
        watcher = watch(model, ["1", "3", "5"], x, y, every=1, monitor=recorder, batch_size=8, on_forward=False,
                        reduce={"1": "flatten", "3": "channel_mean"})
        for step in range(3):
            watcher.capture(step)
            model.eval()
            with torch.no_grad():
                conv1, conv2 = model[:2](x), model[:4](x)
                assert not conv1.is_contiguous()  # channels-last: flatten must reorder, as reshape does
                expected = {"1": conv1.reshape(22, -1), "3": conv2.mean(dim=(2, 3)), "5": model(x)}
            for name, (handed, copy) in recorder.frames[-1].items():
                torch.testing.assert_close(copy, expected[name])
            loss = nn.functional.cross_entropy(model(x), y)  # the next frame differs
            model.train()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        watcher.remove()
        pointers = [{name: handed.data_ptr() for name, (handed, _) in frame.items()} for frame in recorder.frames]
        if releases:  # one set of buffers, written again each time it came back
            assert pointers[0] == pointers[1] == pointers[2]
        else:  # never released: every frame kept its own buffers, and its values
            assert all(pointers[0][n] != pointers[1][n] != pointers[2][n] for n in pointers[0])
            for frame in recorder.frames:
                for name, (handed, copy) in frame.items():
                    assert torch.equal(handed, copy)


@needs_torch
def test_a_layer_run_twice_or_batch_second_is_explained():
    from infoplane.torch import watch

    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(self.fc(x))

    class SeqFirst(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x).transpose(0, 1)  # [T, N, D] from [N, T, D]

    class Recorder:
        def log_frame(self, step, layers, **kwargs):
            return True

    twice = watch(Twice(), ["fc"], torch.randn(10, 3), torch.zeros(10), monitor=Recorder(), on_forward=False,
                  reduce="flatten")
    with pytest.raises(RuntimeError, match="'fc' ran more than once in a probe batch"):
        twice.capture(0)
    model = SeqFirst()
    seq = watch(model, [model], torch.randn(10, 4, 3), torch.zeros(10), monitor=Recorder(), on_forward=False)
    with pytest.raises(RuntimeError, match="gave 4 rows for a probe batch of 10 samples"):
        seq.capture(0)
