"""infoplane.transformers.InfoplaneTrainerCallback: a real Hugging Face Trainer on a tiny
BERT built from BertConfig (no hub download) streams one run to the real daemon, its 3-D
token activations reduced by `cls` and `tokens_mean`."""

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may be fetched: the model is built from a config
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")

pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch): the transformers callback not tested")
transformers = pytest.importorskip("transformers", reason="transformers is not installed (pip install transformers): "
                                   "the Trainer callback not tested")

import torch  # noqa: E402

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


def test_trainer_streams_one_run_with_cls_and_tokens_mean(daemon, tmp_path):
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
    from infoplane.transformers import InfoplaneTrainerCallback
    torch.manual_seed(0)
    config = BertConfig(vocab_size=40, hidden_size=HIDDEN, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=TOKENS, num_labels=2)
    model = BertForSequenceClassification(config)
    probe = TokenDataset(24, seed=1)
    callback = InfoplaneTrainerCallback(
        ["bert.encoder.layer.0", "bert.encoder.layer.1", "classifier"],
        probe_inputs={"input_ids": probe.ids, "attention_mask": probe.mask}, probe_labels=probe.labels,
        every=2, run="hf-test", address=daemon.socket_path,
        reduce={"bert.encoder.layer.0": "tokens_mean", "bert.encoder.layer.1": "cls"}, roles={"classifier": "output"})
    args = TrainingArguments(output_dir=str(tmp_path), max_steps=5, per_device_train_batch_size=8, learning_rate=1e-3,
                             logging_steps=2, eval_strategy="steps", eval_steps=4, save_strategy="no",
                             report_to=[], disable_tqdm=True, use_cpu=True, dataloader_num_workers=0)
    trainer = Trainer(model=model, args=args, train_dataset=TokenDataset(64, seed=0),
                      eval_dataset=TokenDataset(16, seed=2), callbacks=[callback])
    trainer.train()
    assert callback.watcher is None and callback.monitor.closed
    report = daemon.stop()
    assert report["runs"] == ["hf-test"] and report["sessionsEnded"] == 1
    tallies = tallies_by_key(report)
    widths = {"bert.encoder.layer.0": HIDDEN, "bert.encoder.layer.1": HIDDEN, "classifier": 2, "inputs": TOKENS, "labels": 1}
    assert sorted(tallies) == sorted(("hf-test", layer, "probe", step) for layer in widths for step in (0, 2, 4, 5))
    for (_, layer, _, step), tally in tallies.items():
        assert (tally["rows"], tally["values"]) == (24, 24 * widths[layer]), (layer, step)
    scalars = scalars_of(report, "hf-test")
    train = [s for s in scalars if s["split"] == "train"]
    assert [s["step"] for s in train] == [2, 4] and all("loss" in s["values"] for s in train)
    validation = [s for s in scalars if s["split"] == "validation"]
    # eval_steps=4, and the Trainer evaluates once more at the last step.
    assert [s["step"] for s in validation] == [4, 5] and all("loss" in s["values"] for s in validation)
