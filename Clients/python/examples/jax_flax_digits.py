#!/usr/bin/env python3
"""JAX/Flax: the digits CNN of digits_cnn.py in Flax, streamed with the numpy API.

There are no hooks in JAX: the model `sow`s the activations it wants watched into the
"intermediates" collection, a jitted probe function applies the model to the fixed probe
set with that collection mutable and reduces each layer on the device (`channel_mean` of
the conv maps by default: Flax is channels-last, so the mean is over axes 1 and 2), and
only the reduced rows come back to the host, as numpy arrays, for `Monitor.log_frame`.

The probe's result is fetched one step late: `copy_to_host_async()` starts the transfer
when the probe is dispatched, training goes on (JAX dispatches asynchronously), and the
frame is logged before the next training step, when the copy is done. The arrays are
fresh host copies that nothing else touches, so they are handed over with borrow=True
(encoded on the monitor's sender thread, not here).

Needs jax, flax and optax (`pip install jax flax optax`; CPU is enough) and scikit-learn
for the data; not part of the test suite.

    python3 jax_flax_digits.py --address /tmp/infoplane.sock
    python3 jax_flax_digits.py --reduce flatten --epochs 10 --every 20
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Dict

import numpy as np

# Run from a source checkout without installing the package.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

HELD_OUT = 500


def digits_dataset(seed: int):
    """(x_train, y_train, x_test, y_test): float32 images [N, 8, 8, 1] (channels last) in
    [0, 1] and int32 labels, split by one seeded permutation."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[..., None]
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(x))
    return x[order[HELD_OUT:]], y[order[HELD_OUT:]], x[order[:HELD_OUT]], y[order[:HELD_OUT]]


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--every", type=int, default=50, help="send a probe frame every K steps (default 50)")
    parser.add_argument("--reduce", choices=("channel_mean", "flatten"), default="channel_mean",
                        help="how the conv maps are sent (default channel_mean: 32 and 64 features)")
    parser.add_argument("--probe-size", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--run", default=None, help="run name (default digits-flax-seed<seed>)")
    parser.add_argument("--address", default=None, help="daemon socket path or host:port (default $INFOPLANE_ADDRESS or /run/infoplane/infoplane.sock)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_arguments(argv)
    import jax
    import jax.numpy as jnp
    import optax
    from flax import linen as nn

    from infoplane import Monitor

    class CNN(nn.Module):
        """conv 32, conv 64, max-pool, fc 128, fc 10; sows the watched activations."""

        @nn.compact
        def __call__(self, x):
            h = nn.relu(nn.Conv(32, (3, 3))(x))
            self.sow("intermediates", "conv1", h)
            h = nn.relu(nn.Conv(64, (3, 3))(h))
            self.sow("intermediates", "conv2", h)
            h = nn.max_pool(h, (2, 2), strides=(2, 2))
            h = nn.relu(nn.Dense(128)(h.reshape((h.shape[0], -1))))
            self.sow("intermediates", "fc1", h)
            logits = nn.Dense(10)(h)
            self.sow("intermediates", "fc2", logits)
            return logits

    x_train, y_train, x_test, y_test = digits_dataset(args.seed)
    probe_rows = np.random.default_rng(args.seed + 1).permutation(len(x_train))[:args.probe_size]
    probe_x, probe_y = x_train[probe_rows], y_train[probe_rows]

    model = CNN()
    params = model.init(jax.random.PRNGKey(args.seed), jnp.zeros((1, 8, 8, 1)))["params"]
    optimizer = optax.adam(args.lr)
    opt_state = optimizer.init(params)

    @jax.jit
    def train_step(params, opt_state, x, y):
        def loss_fn(p):
            logits = model.apply({"params": p}, x)  # sow does nothing unless the collection is mutable
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
        loss, grads = jax.value_and_grad(loss_fn)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    @jax.jit
    def probe(params, x) -> Dict[str, jnp.ndarray]:
        """The watched layers on the probe set, reduced on the device to one row per sample."""
        _, state = model.apply({"params": params}, x, mutable=["intermediates"])
        acts = {name: values[0] for name, values in state["intermediates"].items()}  # sow keeps a tuple
        for name in ("conv1", "conv2"):
            acts[name] = acts[name].mean(axis=(1, 2)) if args.reduce == "channel_mean" else acts[name].reshape((x.shape[0], -1))
        return acts

    @jax.jit
    def evaluate(params, x, y):
        logits = model.apply({"params": params}, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), (logits.argmax(-1) == y).mean()

    run = args.run or f"digits-flax-seed{args.seed}"
    monitor = Monitor(run=run, address=args.address, metadata={
        "task": "sklearn-digits-8x8", "framework": "jax/flax", "network": "conv32-conv64-maxpool-fc128-fc10",
        "reduce": args.reduce, "seed": args.seed})
    inputs = probe_x.reshape(len(probe_x), -1)
    pending = None  # (step, epoch, device arrays being copied to the host)

    def send_pending():
        nonlocal pending
        if pending is not None:
            step, epoch, acts = pending
            layers = {name: np.asarray(value) for name, value in acts.items()}  # the copy has finished by now
            monitor.log_frame(step, layers=layers, inputs=inputs, labels=probe_y, epoch=epoch,
                              roles={"fc2": "output"}, borrow=True)
            pending = None

    def start_probe(step, epoch):
        nonlocal pending
        send_pending()
        acts = probe(params, probe_x)
        for value in acts.values():
            value.copy_to_host_async()
        pending = (step, epoch, acts)

    rng = np.random.default_rng(args.seed)
    step = 0
    started = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(x_train))
        for lo in range(0, len(order), args.batch_size):
            if step % args.every == 0:
                start_probe(step, epoch - 1)
            elif pending is not None:
                send_pending()
            batch = order[lo:lo + args.batch_size]
            params, opt_state, loss = train_step(params, opt_state, x_train[batch], y_train[batch])
            step += 1
        train_loss, train_acc = evaluate(params, x_train, y_train)
        held_loss, held_acc = evaluate(params, x_test, y_test)
        monitor.log_scalars(step, split="train", epoch=epoch, loss=float(train_loss), accuracy=float(train_acc))
        monitor.log_scalars(step, split="validation", epoch=epoch, loss=float(held_loss), accuracy=float(held_acc))
        print(f"epoch {epoch:3d} step {step:5d}  train loss {float(train_loss):.4f} acc {float(train_acc):.3f}  "
              f"held-out loss {float(held_loss):.4f} acc {float(held_acc):.3f}", flush=True)
    start_probe(step, args.epochs)  # the trained network
    send_pending()
    stats = monitor.close(timeout=30.0)
    print(f"trained {step} steps in {time.perf_counter() - started:.1f} s; monitor closed: {stats.summary()}",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
