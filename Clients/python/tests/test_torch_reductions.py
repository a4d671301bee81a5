"""Reductions of conv maps and token sequences (infoplane.reductions) in the torch watcher:
what each one computes, and the `auto` rule that keeps a frame within its budget."""

import pytest

try:
    import torch
    from torch import nn
except ImportError:
    torch = None

from infoplane import reductions
from infoplane.reductions import choose_auto, random_projection

pytestmark = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (pip install torch): reductions not tested")


class RecordingMonitor:
    """Stands in for a Monitor: keeps what log_frame was given; a small frame budget."""

    def __init__(self, max_message_bytes=64 << 20):
        self.max_message_bytes = max_message_bytes
        self.max_queue_bytes = 64 << 20
        self.frames = []

    def log_frame(self, step, layers, inputs=None, labels=None, **kwargs):
        self.frames.append(dict(step=step, layers=layers, inputs=inputs, labels=labels, **kwargs))
        return True


def _cnn():
    """The digits CNN's shape: conv 32, conv 64, max-pool, fc 128, fc 10 on 8x8 inputs."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU(), nn.Linear(128, 10))


def test_each_reduction_computes_what_its_table_says():
    conv = torch.randn(5, 3, 4, 4)
    tokens = torch.randn(5, 7, 6)
    torch.testing.assert_close(reductions.flatten.apply(conv), conv.reshape(5, 48))
    torch.testing.assert_close(reductions.channel_mean.apply(conv), conv.mean(dim=(2, 3)))
    torch.testing.assert_close(reductions.tokens_mean.apply(tokens), tokens.mean(dim=1))
    torch.testing.assert_close(reductions.cls.apply(tokens), tokens[:, 0])
    mask = torch.tensor([[1] * 7, [1, 1, 1, 0, 0, 0, 0], [1] + [0] * 6, [1] * 7, [0] * 7])
    masked = reductions.tokens_mean.apply(tokens, mask)
    torch.testing.assert_close(masked[1], tokens[1, :3].mean(dim=0))
    torch.testing.assert_close(masked[2], tokens[2, 0])
    torch.testing.assert_close(masked[4], torch.zeros(6))  # no real token: zeros, not NaN
    assert [r.features(s) for r, s in ((reductions.flatten, (5, 3, 4, 4)), (reductions.channel_mean, (5, 3, 4, 4)),
                                       (reductions.tokens_mean, (5, 7, 6)), (reductions.cls, (5, 7, 6)))] == [48, 3, 6, 6]
    with pytest.raises(ValueError, match="cls reduction needs"):
        reductions.cls.apply(conv)
    with pytest.raises(ValueError, match="unknown reduction"):
        reductions.resolve("mean")


def test_random_projection_is_seeded_and_the_same_everywhere():
    rows = torch.randn(20, 3, 4, 4)
    a, b, c = random_projection(8, seed=1), random_projection(8, seed=1), random_projection(8, seed=2)
    assert a.apply(rows).shape == (20, 8)
    torch.testing.assert_close(a.apply(rows), b.apply(rows))
    assert not torch.allclose(a.apply(rows), c.apply(rows))
    matrix = a.matrix(48)
    torch.testing.assert_close(a.apply(rows), rows.reshape(20, 48) @ matrix)
    # N(0, 1/dim) entries: squared norms are preserved on average (Johnson-Lindenstrauss).
    assert abs(float(matrix.pow(2).sum(dim=1).mean()) - 1.0) < 0.25
    assert a.apply(rows.double()).dtype == torch.float64  # computed in the activations' dtype


def test_auto_flattens_while_the_frame_fits_then_reduces_the_largest_first():
    shapes = {"conv1": (64, 32, 8, 8), "conv2": (64, 64, 8, 8), "tokens": (64, 10, 16), "fc": (64, 128)}
    item = {name: 4 for name in shapes}
    rows = 1024
    flat = rows * 4 * (2048 + 4096 + 160 + 128)
    assert {n: r.name for n, r in choose_auto(shapes, rows, item, 0, flat).items()} == \
        {"conv1": "flatten", "conv2": "flatten", "tokens": "flatten", "fc": "flatten"}
    # One byte short: the largest layer (conv2, 4096 features) is reduced, nothing else.
    assert {n: r.name for n, r in choose_auto(shapes, rows, item, 1, flat).items()} == \
        {"conv1": "flatten", "conv2": "channel_mean", "tokens": "flatten", "fc": "flatten"}
    tight = choose_auto(shapes, rows, item, 0, rows * 4 * 300)
    assert {n: r.name for n, r in tight.items()} == \
        {"conv1": "channel_mean", "conv2": "channel_mean", "tokens": "tokens_mean", "fc": "flatten"}
    # Nothing left to reduce: 2-D layers stay as they are even over the budget.
    assert choose_auto({"fc": (64, 128)}, rows, {"fc": 4}, 0, 10)["fc"].name == "flatten"


def test_the_watcher_reduces_on_the_device_and_keeps_its_choice_for_the_run():
    from infoplane.torch import watch
    model = _cnn()
    x, y = torch.randn(40, 1, 8, 8), torch.randint(0, 10, (40,))
    # Budget: flattened, the frame is 40 x (2048 + 4096 + 128 + 10) x 4 B = 1.0 MB; 600 kB
    # leaves room for conv1 flattened once conv2 is pooled to its 64 channel means.
    monitor = RecordingMonitor(max_message_bytes=600_000)
    watcher = watch(model, ["1", "3", "7", "8"], x, y, every=1, monitor=monitor, batch_size=16,
                    roles={"8": "output"})
    watcher.capture(0)
    frame = monitor.frames[-1]
    assert {n: r.name for n, r in watcher.reductions.items()} == \
        {"1": "flatten", "3": "channel_mean", "7": "flatten", "8": "flatten"}
    assert {n: tuple(v.shape) for n, v in frame["layers"].items()} == {"1": (40, 2048), "3": (40, 64), "7": (40, 128), "8": (40, 10)}
    assert frame["borrow"] is True and frame["ready"] is None  # CPU tensors: handed over, nothing to wait for
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(frame["layers"]["3"], model[:4](x).mean(dim=(2, 3)))
        torch.testing.assert_close(frame["layers"]["1"], model[:2](x).reshape(40, -1))
    monitor.max_message_bytes = 10 << 20  # a larger budget later does not change a layer's width
    watcher.capture(1)
    assert monitor.frames[-1]["layers"]["3"].shape == (40, 64)
    assert set(watcher.timings) == {"probe_forward", "gather", "hand_off"}


def test_token_sequences_by_cls_and_masked_tokens_mean_with_keyword_inputs():
    from infoplane.torch import watch

    class TinyEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(20, 8)
            self.block = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
            self.head = nn.Linear(8, 2)

        def forward(self, input_ids, attention_mask):
            h = self.block(self.embed(input_ids), src_key_padding_mask=attention_mask == 0)
            return self.head(h[:, 0])

    torch.manual_seed(2)
    model = TinyEncoder()
    ids = torch.randint(1, 20, (12, 6))
    mask = torch.ones(12, 6, dtype=torch.long)
    mask[::2, 4:] = 0
    probe = {"input_ids": ids, "attention_mask": mask}
    monitor = RecordingMonitor()
    watcher = watch(model, ["embed", "block", "head"], probe, torch.arange(12) % 2, monitor=monitor,
                    reduce={"embed": "tokens_mean", "block": "cls"}, batch_size=5)
    watcher.capture(0)
    frame = monitor.frames[-1]
    assert {n: tuple(v.shape) for n, v in frame["layers"].items()} == {"embed": (12, 8), "block": (12, 8), "head": (12, 2)}
    assert frame["inputs"].shape == (12, 6)  # the token ids are the frame's inputs X
    with torch.no_grad():
        embedded = model.embed(ids)
        torch.testing.assert_close(frame["layers"]["embed"][0], embedded[0, :4].mean(dim=0))  # padding left out
        torch.testing.assert_close(frame["layers"]["embed"][1], embedded[1].mean(dim=0))
        model.eval()
        torch.testing.assert_close(frame["layers"]["block"], model.block(embedded, src_key_padding_mask=mask == 0)[:, 0])
