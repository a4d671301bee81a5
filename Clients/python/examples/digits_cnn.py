#!/usr/bin/env python3
"""A small CNN on scikit-learn's 8x8 digits, watched with infoplane.torch.watch.

Data: `sklearn.datasets.load_digits` (1797 handwritten digits, 8x8 pixels of 0-16, ten
classes; bundled with scikit-learn, nothing is downloaded), pixels scaled to [0, 1], one
seeded split into 1297 training and 500 held-out images.

Network: conv 3x3 32 channels, ReLU, conv 3x3 64, ReLU, max-pool 2x2, fc 128, ReLU, fc 10
(softmax cross-entropy), Adam (lr 1e-3), batch 64, 30 epochs by default (21 steps each).

Streamed to the daemon:
- every epoch: train and held-out loss and accuracy (splits train, validation);
- before every --every-th step (default 50) and after the last: a probe frame of 1024
  fixed training images holding the inputs (64 pixels), the labels and four layers: the
  two conv blocks (`conv1` 32x8x8 = 2048 and `conv2` 64x8x8 = 4096 features flattened; the
  frame's 25 MB fits the daemon's default 64 MiB budget, so `auto` keeps them whole;
  `--reduce channel_mean` sends 32 and 64 channel means instead), `fc1` (128) and the
  logits `fc2` (10, role output).

    python3 digits_cnn.py --address /tmp/infoplane.sock                 # 30 epochs, ~1 min on 2 cores
    python3 digits_cnn.py --reduce channel_mean --every 20
    python3 digits_cnn.py --no-monitor                                  # training alone (benchmark)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import OrderedDict

import numpy as np

# Run from a source checkout without installing the package.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

#: Watched layers and their widths when sent flattened.
LAYERS = OrderedDict([("conv1", 2048), ("conv2", 4096), ("fc1", 128), ("fc2", 10)])
PROBE_SIZE = 1024
HELD_OUT = 500


def digits_dataset(seed: int):
    """(x_train, y_train, x_test, y_test): float32 images [N, 1, 8, 8] in [0, 1], int64 labels,
    split by one seeded permutation (HELD_OUT images held out)."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    test, train = order[:HELD_OUT], order[HELD_OUT:]
    return x[train], y[train], x[test], y[test]


def build_model(torch, seed: int):
    """conv 32, conv 64, max-pool, fc 128, fc 10; the watched blocks are named submodules."""
    nn = torch.nn
    torch.manual_seed(seed)
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU())),
        ("conv2", nn.Sequential(nn.Conv2d(32, 64, 3, padding=1), nn.ReLU())),
        ("pool", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Sequential(nn.Linear(64 * 4 * 4, 128), nn.ReLU())),
        ("fc2", nn.Linear(128, 10)),
    ]))


def train_step(torch, model, optimizer, x, y, batch):
    """One optimiser step on the rows `batch` of (x, y); returns the loss tensor."""
    loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def evaluate(torch, model, x, y):
    """(mean cross-entropy, accuracy) of the model in eval mode on (x, y)."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = float(torch.nn.functional.cross_entropy(logits, y))
        accuracy = float((logits.argmax(dim=1) == y).float().mean())
    model.train(was_training)
    return loss, accuracy


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=30, help="training epochs (default 30)")
    parser.add_argument("--every", type=int, default=50, help="send a probe frame every K steps (default 50)")
    parser.add_argument("--reduce", default="auto", choices=("auto", "flatten", "channel_mean"),
                        help="how the conv layers are sent (default auto: flattened while the frame fits the daemon's budget)")
    parser.add_argument("--probe-size", type=int, default=PROBE_SIZE, help=f"probe images (default {PROBE_SIZE})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default 1e-3)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1: the daemon shares the machine, and torch's threads waiting "
                             "on each other beside it slowed training 13x on 2 busy cores; 0: torch's choice)")
    parser.add_argument("--run", default=None, help="run name sent to the daemon (default digits-cnn-seed<seed>)")
    parser.add_argument("--address", default=None, help="daemon socket path or host:port (default $INFOPLANE_ADDRESS or /run/infoplane/infoplane.sock)")
    parser.add_argument("--no-monitor", action="store_true", help="train without the infoplane client (for overhead measurements)")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    parser.add_argument("--result-json", action="store_true", help="end with one line 'RESULT {json}' for scripts")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_arguments(argv)
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    x_train, y_train, x_test, y_test = digits_dataset(args.seed)
    x_train, y_train = torch.from_numpy(x_train), torch.from_numpy(y_train)
    x_test, y_test = torch.from_numpy(x_test), torch.from_numpy(y_test)
    probe = torch.from_numpy(np.random.default_rng(args.seed + 1).permutation(len(x_train))[:args.probe_size])
    probe_x, probe_y = x_train[probe], y_train[probe]

    model = build_model(torch, args.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = -(-len(x_train) // args.batch_size)
    run = args.run or f"digits-cnn-seed{args.seed}"
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    say(f"digits cnn: {len(x_train)} train / {len(x_test)} held-out 8x8 images, conv32-conv64-pool-fc128-fc10, "
        f"Adam lr {args.lr}, batch {args.batch_size}, {args.epochs} epochs ({steps_per_epoch * args.epochs} steps), "
        f"probe {len(probe_x)} images every {args.every} steps")

    monitor = watcher = None
    if not args.no_monitor:
        from infoplane import Monitor
        from infoplane.torch import watch
        monitor = Monitor(run=run, address=args.address, metadata={
            "task": "sklearn-digits-8x8", "network": "conv32-conv64-maxpool-fc128-fc10", "optimizer": "adam",
            "lr": args.lr, "batch_size": args.batch_size, "epochs": args.epochs, "seed": args.seed,
            "probe": f"{len(probe_x)} training images", "reduce": args.reduce})
        reduce = {name: args.reduce for name in ("conv1", "conv2")}
        watcher = watch(model, list(LAYERS), probe_x, probe_y, every=args.every, monitor=monitor,
                        roles={"fc2": "output"}, reduce=reduce, batch_size=256)
        say(f"streaming run {run!r} to {monitor.address}")

    generator = torch.Generator().manual_seed(args.seed)
    step = 0
    model.train()
    start, cpu_start = time.perf_counter(), time.process_time()
    train = held = (float("nan"), float("nan"))
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(len(x_train), generator=generator)
        for lo in range(0, len(order), args.batch_size):
            train_step(torch, model, optimizer, x_train, y_train, order[lo:lo + args.batch_size])
            step += 1
        train, held = evaluate(torch, model, x_train, y_train), evaluate(torch, model, x_test, y_test)
        if monitor is not None:
            monitor.log_scalars(step, split="train", epoch=epoch, loss=train[0], accuracy=train[1])
            monitor.log_scalars(step, split="validation", epoch=epoch, loss=held[0], accuracy=held[1])
        if epoch % max(1, args.epochs // 10) == 0 or epoch == args.epochs:
            elapsed = time.perf_counter() - start
            line = (f"epoch {epoch:3d}/{args.epochs} step {step:5d}  train loss {train[0]:.4f} acc {train[1]:.3f}  "
                    f"held-out loss {held[0]:.4f} acc {held[1]:.3f}  {step / elapsed:6.1f} steps/s")
            if monitor is not None:
                s = monitor.stats
                line += f"  monitor: sent {s.sent} acked {s.acked} dropped {s.dropped} errors {s.errors}"
            say(line)
    if watcher is not None:
        watcher.capture(step, epoch=args.epochs)  # the trained network
        watcher.remove()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start

    result = {"run": run, "epochs": args.epochs, "steps": step, "train_seconds": elapsed,
              "steps_per_second": step / elapsed, "train_cpu_seconds": cpu,
              "train_loss": train[0], "train_accuracy": train[1], "heldout_loss": held[0], "heldout_accuracy": held[1],
              "monitor": monitor is not None}
    if watcher is not None:
        result["frames"] = watcher.frames_sent
        result["reductions"] = {name: r.name for name, r in watcher.reductions.items()}
        say(f"layers sent as: " + ", ".join(f"{name} {r.name}" for name, r in watcher.reductions.items()))
    if monitor is not None:
        stats = monitor.close(timeout=30.0)
        result["stats"] = dict(vars(stats))
        say(f"monitor closed: {stats.summary()}")
    print(f"trained {args.epochs} epochs ({step} steps) in {elapsed:.1f} s: {step / elapsed:.1f} steps/s; "
          f"train acc {train[1]:.3f}, held-out acc {held[1]:.3f}", flush=True)
    if args.result_json:
        print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
