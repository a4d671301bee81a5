#!/usr/bin/env python3
"""The Shwartz-Ziv & Tishby (2017) information-plane experiment, in numpy, streamed to infoplaned.

Task (reference/szt-task.md): all 4096 12-bit binary patterns; the label is 1 iff the number
of ones plus the length of the sum of the icosahedron vertices of the set bits exceeds 7.632
(reproduces the paper's var_u.mat, p(y=1) = 0.5171). Network 12-10-7-5-4-3-2: five tanh
(or --activation relu) hidden layers and a 2-unit softmax, cross-entropy, truncated-normal
init (std 1/sqrt(fan_in)), zero biases, Adam (lr 4e-4), batch 256, 80 % of the patterns for
training (one seeded permutation), 8000 epochs.

Streamed to the daemon:
- every epoch: train loss/accuracy (split train) and held-out loss/accuracy (split validation);
- at log-spaced epochs (as in the papers: dense early, where fitting happens) plus every 250
  epochs, or every --every epochs: a probe frame of all 4096 patterns (split probe) holding
  the inputs, the labels, the five hidden layers and the softmax output.

    python3 szt_demo.py --address /tmp/infoplane.sock            # tanh, 8000 epochs (~1.5 min)
    python3 szt_demo.py --activation relu --epochs 2000
    python3 szt_demo.py --no-monitor --epochs 500                 # training alone (benchmark)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

# Run from a source checkout without installing the package.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

LAYER_SIZES = (12, 10, 7, 5, 4, 3, 2)
ICOSAHEDRON_A = 0.5257311121191336
ICOSAHEDRON_B = 0.85065080835204
LABEL_THRESHOLD = 7.632


def icosahedron_vertices() -> np.ndarray:
    """The 12 unit vertices r_j that bit j of a pattern is placed on (szt-task.md order)."""
    a, b = ICOSAHEDRON_A, ICOSAHEDRON_B
    return np.array([
        (0, -a, -b), (-a, -b, 0), (0, -a, b), (a, -b, 0),
        (-b, 0, a), (0, a, -b), (-a, b, 0), (a, b, 0),
        (b, 0, a), (0, a, b), (b, 0, -a), (-b, 0, -a),
    ])


def szt_dataset():
    """X: the 4096 12-bit patterns (row i = bits of i, most significant first); y in {0, 1}."""
    index = np.arange(4096)
    x = ((index[:, None] >> np.arange(11, -1, -1)) & 1).astype(np.float64)
    score = x.sum(axis=1) + np.linalg.norm(x @ icosahedron_vertices(), axis=1)
    y = (score > LABEL_THRESHOLD).astype(np.int64)
    return x, y


def truncated_normal(rng: np.random.Generator, shape, std: float) -> np.ndarray:
    """Normal(0, std^2) samples redrawn until |z| <= 2 (TensorFlow's truncated_normal)."""
    z = rng.standard_normal(shape)
    while True:
        outside = np.abs(z) > 2
        if not outside.any():
            return z * std
        z[outside] = rng.standard_normal(int(outside.sum()))


class Network:
    """12-10-7-5-4-3-2 multilayer perceptron with a softmax output, trained by Adam."""

    def __init__(self, rng: np.random.Generator, activation: str, lr: float) -> None:
        self.activation = activation
        self.lr = lr
        self.weights = [truncated_normal(rng, (i, o), 1.0 / np.sqrt(i)) for i, o in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:])]
        self.biases = [np.zeros(o) for o in LAYER_SIZES[1:]]
        self._m = [np.zeros_like(p) for p in self.parameters]
        self._v = [np.zeros_like(p) for p in self.parameters]
        self._t = 0

    @property
    def parameters(self):
        return self.weights + self.biases

    def _act(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z) if self.activation == "tanh" else np.maximum(z, 0.0)

    def forward(self, x: np.ndarray):
        """Hidden activations (five arrays) and the softmax output probabilities."""
        hidden = []
        h = x
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            h = self._act(h @ w + b)
            hidden.append(h)
        logits = h @ self.weights[-1] + self.biases[-1]
        logits = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return hidden, e / e.sum(axis=1, keepdims=True)

    def train_step(self, x: np.ndarray, y: np.ndarray) -> None:
        """One Adam update on the mean cross-entropy of the batch."""
        hidden, probs = self.forward(x)
        delta = probs.copy()
        delta[np.arange(len(y)), y] -= 1.0
        delta /= len(y)
        inputs = [x] + hidden
        grads_w = [None] * len(self.weights)
        grads_b = [None] * len(self.biases)
        for layer in range(len(self.weights) - 1, -1, -1):
            grads_w[layer] = inputs[layer].T @ delta
            grads_b[layer] = delta.sum(axis=0)
            if layer:
                back = delta @ self.weights[layer].T
                h = inputs[layer]
                delta = back * (1.0 - h * h) if self.activation == "tanh" else back * (h > 0)
        self._adam(grads_w + grads_b)

    def _adam(self, grads, beta1=0.9, beta2=0.999, eps=1e-8) -> None:
        self._t += 1
        scale = self.lr * np.sqrt(1 - beta2 ** self._t) / (1 - beta1 ** self._t)
        for p, g, m, v in zip(self.parameters, grads, self._m, self._v):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            p -= scale * m / (np.sqrt(v) + eps)


def dead_hidden_layer(net: Network, x: np.ndarray):
    """Index of the first hidden layer that is all zeros on most inputs (a dead ReLU layer), or None."""
    hidden, _ = net.forward(x)
    for i, h in enumerate(hidden):
        if np.mean(np.all(h == 0, axis=1)) > 0.5:
            return i
    return None


def logged_epochs(epochs: int, every: int, log_points: int) -> set:
    """Epochs at which a probe frame is sent: every `every` epochs if given, else log-spaced
    epochs (dense early, as in the papers) plus every 250; always 0 and the last."""
    if every:
        chosen = set(range(0, epochs + 1, every))
    else:
        chosen = set(np.unique(np.round(np.logspace(0, np.log10(max(epochs, 1)), log_points)).astype(int)).tolist())
        chosen |= set(range(0, epochs + 1, 250))
    return {e for e in chosen if 0 <= e <= epochs} | {0, epochs}


def cross_entropy_and_accuracy(probs: np.ndarray, y: np.ndarray):
    p = np.clip(probs[np.arange(len(y)), y], 1e-12, 1.0)
    return float(-np.mean(np.log(p))), float(np.mean(np.argmax(probs, axis=1) == y))


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=8000, help="training epochs (default 8000, as in the paper)")
    parser.add_argument("--activation", choices=("tanh", "relu"), default="tanh", help="hidden activation (relu: the Saxe et al. contrast case)")
    parser.add_argument("--every", type=int, default=0, help="send a probe frame every K epochs (default: log-spaced epochs plus every 250)")
    parser.add_argument("--log-points", type=int, default=100, help="number of log-spaced epochs when --every is not given (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=4e-4, help="Adam learning rate (default 4e-4)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--train-fraction", type=float, default=0.8, help="share of the 4096 patterns used for training (0.05: the overfitting case)")
    parser.add_argument("--run", default=None, help="run name sent to the daemon (default szt-<activation>-seed<seed>)")
    parser.add_argument("--address", default=None, help="daemon socket path or host:port (default $INFOPLANE_ADDRESS or /run/infoplane/infoplane.sock)")
    parser.add_argument("--no-monitor", action="store_true", help="train without the infoplane client (for overhead measurements)")
    parser.add_argument("--progress", type=int, default=0, help="print progress every K epochs (default: 20 lines per run)")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    parser.add_argument("--result-json", action="store_true", help="end with one line 'RESULT {json}' for scripts")
    parser.add_argument("--losses-csv", default=None, help="also write every epoch's step, train and held-out loss to this CSV file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_arguments(argv)
    rng = np.random.default_rng(args.seed)
    x, y = szt_dataset()
    permutation = rng.permutation(len(x))
    n_train = max(1, int(round(args.train_fraction * len(x))))
    train_idx, test_idx = np.sort(permutation[:n_train]), np.sort(permutation[n_train:])

    net = Network(rng, args.activation, args.lr)
    redraws = 0
    while args.activation == "relu" and dead_hidden_layer(net, x) is not None and redraws < 50:
        redraws += 1
        net = Network(rng, args.activation, args.lr)

    run = args.run or f"szt-{args.activation}-seed{args.seed}"
    frames_at = logged_epochs(args.epochs, args.every, args.log_points)
    progress_every = args.progress or max(1, args.epochs // 20)
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, flush=True))
    say(f"szt demo: 4096 patterns, p(y=1) = {y.mean():.4f}, {len(train_idx)} train / {len(test_idx)} held out, "
        f"12-10-7-5-4-3-2 {args.activation}, Adam lr {args.lr}, batch {args.batch_size}, {args.epochs} epochs, "
        f"{len(frames_at)} probe frames" + (f", initialisation redrawn {redraws}x (dead ReLU layer)" if redraws else ""))

    monitor = None
    if not args.no_monitor:
        from infoplane import Monitor
        monitor = Monitor(run=run, address=args.address, metadata={
            "task": "shwartz-ziv-tishby-2017", "network": "12-10-7-5-4-3-2", "activation": args.activation,
            "optimizer": "adam", "lr": args.lr, "batch_size": args.batch_size, "epochs": args.epochs,
            "seed": args.seed, "train_fraction": args.train_fraction, "probe": "all 4096 patterns"},
            # Binning as in the papers: tanh units in 30 equal bins over [-1, 1]; ReLU units
            # (Saxe et al.) in 100 equal bins over the observed range.
            options={"binning": "fixed", "bins": 30, "bin_low": -1.0, "bin_high": 1.0} if args.activation == "tanh"
            else {"binning": "observed", "bins": 100})
        say(f"streaming run {run!r} to {monitor.address}")

    names = [f"layer{i}" for i in range(1, len(LAYER_SIZES) - 1)]
    inputs32 = x.astype(np.float32)
    batches_per_epoch = -(-len(train_idx) // args.batch_size)
    step = 0

    losses_csv = open(args.losses_csv, "w") if args.losses_csv else None
    if losses_csv:
        losses_csv.write(f"# szt_demo.py seed {args.seed} {args.activation} epochs {args.epochs} numpy {np.__version__}\nstep,epoch,train_loss,heldout_loss\n")

    def evaluate_and_log(epoch: int):
        hidden, probs = net.forward(x)
        train = cross_entropy_and_accuracy(probs[train_idx], y[train_idx])
        held = cross_entropy_and_accuracy(probs[test_idx], y[test_idx]) if len(test_idx) else (float("nan"), float("nan"))
        if losses_csv:
            losses_csv.write(f"{step},{epoch},{train[0]:.6g},{held[0]:.6g}\n")
        if monitor is not None:
            monitor.log_scalars(step, split="train", epoch=epoch, loss=train[0], accuracy=train[1])
            if len(test_idx):
                monitor.log_scalars(step, split="validation", epoch=epoch, loss=held[0], accuracy=held[1])
            if epoch in frames_at:
                layers = dict(zip(names, hidden))
                layers["output"] = probs
                monitor.log_frame(step, layers=layers, inputs=inputs32, labels=y, split="probe", epoch=epoch,
                                  roles={"output": "output"}, dtype="f32")
        return train, held

    start, cpu_start = time.perf_counter(), time.process_time()
    last_time, last_cpu, last_step = start, cpu_start, 0
    train, held = evaluate_and_log(0)
    for epoch in range(1, args.epochs + 1):
        order = train_idx[rng.permutation(len(train_idx))]
        for lo in range(0, len(order), args.batch_size):
            batch = order[lo:lo + args.batch_size]
            net.train_step(x[batch], y[batch])
        step += batches_per_epoch
        train, held = evaluate_and_log(epoch)
        if epoch % progress_every == 0 or epoch == args.epochs:
            now, cpu_now = time.perf_counter(), time.process_time()
            rate = (step - last_step) / (now - last_time)
            cpu_rate = (step - last_step) / max(cpu_now - last_cpu, 1e-9)
            line = (f"epoch {epoch:5d}/{args.epochs} step {step:6d}  train loss {train[0]:.4f} acc {train[1]:.3f}  "
                    f"held-out loss {held[0]:.4f} acc {held[1]:.3f}  {rate:7.1f} steps/s ({cpu_rate:.0f} per CPU-s)")
            if monitor is not None:
                s = monitor.stats
                line += f"  monitor: sent {s.sent} acked {s.acked} dropped {s.dropped} errors {s.errors} reconnects {s.reconnects}"
            say(line)
            last_time, last_cpu, last_step = now, cpu_now, step
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    if losses_csv:
        losses_csv.close()

    result = {"run": run, "epochs": args.epochs, "steps": step, "train_seconds": elapsed, "steps_per_second": step / elapsed,
              "train_cpu_seconds": cpu, "steps_per_cpu_second": step / cpu,
              "train_loss": train[0], "train_accuracy": train[1], "heldout_loss": held[0], "heldout_accuracy": held[1],
              "frames": len(frames_at), "monitor": monitor is not None}
    if monitor is not None:
        close_start = time.perf_counter()
        stats = monitor.close(timeout=10.0)
        result["close_seconds"] = time.perf_counter() - close_start
        result["stats"] = {k: v for k, v in vars(stats).items()}
        say(f"monitor closed: {stats.summary()}")
    print(f"trained {args.epochs} epochs ({step} steps) in {elapsed:.1f} s: {step / elapsed:.1f} steps/s; "
          f"train acc {train[1]:.3f}, held-out acc {held[1]:.3f}", flush=True)
    if args.result_json:
        print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
