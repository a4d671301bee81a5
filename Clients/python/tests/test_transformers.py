"""infoplane.transformers.InfoplaneTrainerCallback: a real Hugging Face Trainer on a tiny
BERT built from BertConfig (no hub download) streams one run to the real daemon, its 3-D
token activations reduced by `cls` and `tokens_mean`: what the daemon received (the
counting sink), then what it estimated (the monitoring pipeline: every frame sent, every
watched layer at the hidden size)."""

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be fetched: the model is built from a config
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")

pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): the transformers callback not tested")
transformers = pytest.importorskip("transformers", reason="transformers is not installed (pip install transformers): "
                                   "the Trainer callback not tested")

import torch  # noqa: E402

from estimated import assert_every_frame_estimated, describe  # noqa: E402
from sink_report import scalars_of, tallies_by_key  # noqa: E402

HIDDEN = 16
TOKENS = 10


class TokenDataset(torch.utils.data.Dataset):
    """Random token sequences, some padded; the label says whether token 5 occurs."""

    def __init__(self, rows, seed):
        generator = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(6, 40, (rows, TOKENS), generator=generator)
        self.ids[::3, 3] = 5
        self.mask = torch.ones(rows, TOKENS, dtype=torch.long)
        self.mask[1::2, 7:] = 0
        self.ids[self.mask == 0] = 0
        self.labels = (self.ids == 5).any(dim=1).long()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


PROBE_ROWS = 24
#: Frames at steps 0, 2, 4 (every=2, before steps 0, 2 and 4 of max_steps=5) and at the end (5).
STEPS = [0, 2, 4, 5]
#: The watched layers' widths as sent: the [N, T, D] blocks reduced to D by tokens_mean and cls.
WIDTHS = {"bert.encoder.layer.0": HIDDEN, "bert.encoder.layer.1": HIDDEN, "classifier": 2}


def train_tiny_bert(run, address, tmp_path):
    """Trains a 2-block BERT built from BertConfig for 5 steps with an
    InfoplaneTrainerCallback streaming `run` to `address`; returns the callback."""
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
    from infoplane.transformers import InfoplaneTrainerCallback
    torch.manual_seed(0)
    config = BertConfig(vocab_size=40, hidden_size=HIDDEN, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=TOKENS, num_labels=2)
    model = BertForSequenceClassification(config)
    probe = TokenDataset(PROBE_ROWS, seed=1)
    callback = InfoplaneTrainerCallback(
        list(WIDTHS), probe_inputs={"input_ids": probe.ids, "attention_mask": probe.mask}, probe_labels=probe.labels,
        every=2, run=run, address=address,
        reduce={"bert.encoder.layer.0": "tokens_mean", "bert.encoder.layer.1": "cls"}, roles={"classifier": "output"})
    args = TrainingArguments(output_dir=str(tmp_path), max_steps=5, per_device_train_batch_size=8, learning_rate=1e-3,
                             logging_steps=2, eval_strategy="steps", eval_steps=4, save_strategy="no",
                             report_to=[], disable_tqdm=True, use_cpu=True, dataloader_num_workers=0)
    trainer = Trainer(model=model, args=args, train_dataset=TokenDataset(64, seed=0),
                      eval_dataset=TokenDataset(16, seed=2), callbacks=[callback])
    trainer.train()
    assert callback.watcher is None and callback.monitor.closed
    return callback


def test_trainer_streams_one_run_with_cls_and_tokens_mean(daemon, tmp_path):
    train_tiny_bert("hf-test", daemon.socket_path, tmp_path)
    report = daemon.stop()
    assert report["runs"] == ["hf-test"] and report["sessionsEnded"] == 1
    tallies = tallies_by_key(report)
    widths = dict(WIDTHS, inputs=TOKENS, labels=1)
    assert sorted(tallies) == sorted(("hf-test", layer, "probe", step) for layer in widths for step in STEPS)
    for (_, layer, _, step), tally in tallies.items():
        assert (tally["rows"], tally["values"]) == (PROBE_ROWS, PROBE_ROWS * widths[layer]), (layer, step)
    scalars = scalars_of(report, "hf-test")
    train = [s for s in scalars if s["split"] == "train"]
    assert [s["step"] for s in train] == [2, 4] and all("loss" in s["values"] for s in train)
    validation = [s for s in scalars if s["split"] == "validation"]
    # eval_steps=4, and the Trainer evaluates once more at the last step.
    assert [s["step"] for s in validation] == [4, 5] and all("loss" in s["values"] for s in validation)


def test_trainer_gets_every_frame_estimated(monitoring_daemon, frame_log, tmp_path):
    """The same training against the monitoring pipeline: one run, and each frame the
    callback sent estimated for each watched layer at its reduced width (the hidden size
    for the token blocks)."""
    train_tiny_bert("hf-estimated", monitoring_daemon.socket_path, tmp_path)
    assert frame_log.sent_steps() == STEPS and frame_log.widths() == WIDTHS
    series = assert_every_frame_estimated(monitoring_daemon, "hf-estimated", STEPS, WIDTHS, TOKENS, PROBE_ROWS)
    print(describe(series))
