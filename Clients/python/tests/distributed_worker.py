"""What each spawned rank of test_distributed runs: the DDP example's training once per
strategy, in one process group, so that the test pays for starting the ranks (each imports
torch) once rather than once per strategy."""

from __future__ import annotations

import os
from typing import Sequence

import torch.distributed as dist

import ddp_watch


def run_strategies(rank: int, world: int, port: int, address: str, strategies: Sequence[str]) -> None:
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    import torch
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        for strategy in strategies:
            args = ddp_watch.parse_arguments(["--world-size", str(world), "--steps", "24", "--every", "8",
                                              "--address", address, "--run", f"ddp-test-{strategy}",
                                              "--strategy", strategy])
            ddp_watch.train(rank, args)
    finally:
        dist.destroy_process_group()
