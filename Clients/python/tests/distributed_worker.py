"""What each spawned rank of test_distributed runs: the DDP example's training once per
strategy, in one process group, so that the test pays for starting the ranks (each imports
torch) once rather than once per strategy."""

from __future__ import annotations

from typing import Sequence

import torch.distributed as dist

import ddp_watch


def run_strategies(rank: int, world: int, rendezvous: str, address: str, strategies: Sequence[str]) -> None:
    """`rendezvous`: a file path that does not exist yet (a FileStore: no TCP port to pick,
    so no race with other jobs on the machine for a free one)."""
    import torch
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{rendezvous}", rank=rank, world_size=world)
    try:
        for strategy in strategies:
            args = ddp_watch.parse_arguments(["--world-size", str(world), "--steps", "24", "--every", "8",
                                              "--address", address, "--run", f"ddp-test-{strategy}",
                                              "--strategy", strategy])
            ddp_watch.train(rank, args)
        # Both ranks leave their last collective before either tears the group down: a rank
        # that destroys it while its peer is still sending aborts in gloo's teardown
        # ("terminate called without an active exception").
        dist.barrier()
    finally:
        dist.destroy_process_group()
