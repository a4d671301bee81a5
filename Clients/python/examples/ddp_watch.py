#!/usr/bin/env python3
"""Data-parallel training (torch.distributed DDP or FSDP) streamed to infoplaned as ONE run.

Starts --world-size processes (torch.multiprocessing.spawn, gloo backend: CPU, no GPU
needed), each training a small CNN wrapped in DistributedDataParallel (or, --strategy,
FullyShardedDataParallel or fully_shard) on its own shard of a synthetic 8x8 image task. `infoplane.torch.watch` runs on every rank: every --every
steps each rank evaluates its share of the fixed probe set, rank 0 gathers the reduced
activations and sends one frame; only rank 0 has a Monitor, so the daemon sees one run and
one session, not one per rank (the usual failure: 8 GPUs -> 8 runs).

Watched: the conv block reduced by `channel_mean` (8 features), the first dense layer by a
seeded `random_projection(6)` (the same matrix on every rank), the second dense layer and
the logits as they are.

    python3 ddp_watch.py --address /tmp/infoplane.sock                  # 2 ranks, 24 steps
    python3 ddp_watch.py --world-size 4 --steps 200 --every 20
    python3 ddp_watch.py --strategy fully_shard
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

# Run from a source checkout without installing the package.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from infoplane.reductions import random_projection  # noqa: E402

PROBE_ROWS = 101  # odd on purpose: with 2 ranks the second one's share is padded
CLASSES = 3
#: The watched layers and the width each one is sent with.
LAYERS = {"features": 8, "hidden": 6, "hidden2": 16, "logits": CLASSES}


class SmallCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU())
        self.hidden = nn.Sequential(nn.Flatten(), nn.Linear(8 * 8 * 8, 32), nn.ReLU())
        self.hidden2 = nn.Sequential(nn.Linear(32, 16), nn.Tanh())
        self.logits = nn.Linear(16, CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits(self.hidden2(self.hidden(self.features(x))))


def build_model(seed: int) -> SmallCNN:
    """The same initial weights on every rank (DDP also broadcasts rank 0's at wrap time)."""
    torch.manual_seed(seed)
    return SmallCNN()


def make_data(seed: int, rows: int):
    """A synthetic task: class c lights up a 3x3 patch at one of three places, plus noise."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, CLASSES, (rows,), generator=generator)
    images = 0.5 * torch.randn(rows, 1, 8, 8, generator=generator)
    for c, (r, col) in enumerate([(1, 1), (4, 2), (2, 5)]):
        images[labels == c, 0, r:r + 3, col:col + 3] += 1.5
    return images, labels


def probe_set(seed: int):
    """The fixed probe set, identical on every rank."""
    return make_data(seed + 1000, PROBE_ROWS)


def watch_options():
    return dict(reduce={"features": "channel_mean", "hidden": random_projection(6, seed=7)},
                roles={"logits": "output"}, batch_size=16)


def wrap(model: nn.Module, strategy: str, world: int) -> nn.Module:
    """The model under the chosen data-parallel strategy. The watched layer names stay the
    model's own in all three (watch looks inside DDP's and FSDP's wrappers)."""
    if strategy == "ddp":
        return nn.parallel.DistributedDataParallel(model)
    if strategy == "fsdp":  # the wrapper class (FSDP1), parameters sharded over the ranks
        from torch.distributed.fsdp import FullyShardedDataParallel
        return FullyShardedDataParallel(model, device_id=torch.device("cpu"), use_orig_params=True)
    from torch.distributed.device_mesh import init_device_mesh  # fully_shard (FSDP2), per block
    from torch.distributed.fsdp import fully_shard
    mesh = init_device_mesh("cpu", (world,))
    for block in (model.features, model.hidden, model.hidden2):
        fully_shard(block, mesh=mesh)
    return fully_shard(model, mesh=mesh)


def worker(rank: int, args: argparse.Namespace, port: int) -> None:
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ["MASTER_PORT"] = str(port)
    torch.set_num_threads(1)  # the ranks share the machine's cores
    dist.init_process_group("gloo", rank=rank, world_size=args.world_size)
    try:
        train(rank, args)
        dist.barrier()  # both ranks done with their collectives before the group goes
    finally:
        dist.destroy_process_group()


def train(rank: int, args: argparse.Namespace) -> None:
    from infoplane import Monitor
    from infoplane.torch import watch

    world = args.world_size
    model = wrap(build_model(args.seed), args.strategy, world)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    x, y = make_data(args.seed, args.batch_size * world * 8)
    x, y = x[rank::world], y[rank::world]  # this rank's shard of the training data
    probe_x, probe_y = probe_set(args.seed)

    monitor = None
    if rank == 0:  # one Monitor, on rank 0: one run, one session
        monitor = Monitor(run=args.run, address=args.address,
                          metadata={"example": "ddp_watch", "world_size": world, "backend": "gloo",
                                    "strategy": args.strategy})
    watcher = watch(model, list(LAYERS), probe_x, probe_y, every=args.every, monitor=monitor, **watch_options())
    model.train()
    started = time.perf_counter()
    for step in range(args.steps):
        lo = (step * args.batch_size) % len(x)
        xb, yb = x[lo:lo + args.batch_size], y[lo:lo + args.batch_size]
        loss = nn.functional.cross_entropy(model(xb), yb)  # the watcher probes before steps 0, every, ...
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        mean_loss = loss.detach().clone()
        dist.all_reduce(mean_loss)
        if monitor is not None:
            monitor.log_scalars(step, loss=float(mean_loss) / world)
    watcher.capture(args.steps)  # the trained model: every rank takes part, rank 0 sends
    watcher.remove()
    if monitor is not None:
        stats = monitor.close(timeout=20.0)
        print(f"rank 0: {args.steps} steps in {time.perf_counter() - started:.1f} s, {watcher.frames_sent} frames "
              f"of {PROBE_ROWS} probe samples from {world} ranks, last reductions "
              f"{ {n: r.name for n, r in watcher.reductions.items()} }", flush=True)
        print(f"monitor closed: {stats.summary()}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--world-size", type=int, default=2, help="processes (ranks), default 2")
    parser.add_argument("--strategy", choices=("ddp", "fsdp", "fully_shard"), default="ddp",
                        help="DistributedDataParallel (default), FullyShardedDataParallel, or fully_shard (FSDP2)")
    parser.add_argument("--steps", type=int, default=24, help="optimizer steps (default 24)")
    parser.add_argument("--every", type=int, default=8, help="send a probe frame every K steps (default 8)")
    parser.add_argument("--batch-size", type=int, default=16, help="per-rank batch size (default 16)")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--run", default="ddp-watch", help="run name (default ddp-watch)")
    parser.add_argument("--address", default=None, help="daemon socket path or host:port (default $INFOPLANE_ADDRESS or /run/infoplane/infoplane.sock)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_arguments(argv)
    mp.spawn(worker, args=(args, free_port()), nprocs=args.world_size, join=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
