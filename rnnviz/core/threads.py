"""How many threads torch uses for the app's small computations: one."""

from __future__ import annotations

import torch


def limit_torch_threads() -> None:
    """One torch thread per computation: the app's tensors are tiny and every browser
    session already runs in its own thread, so torch's intra-op pool only adds contention.
    On the 2-core class machine a 30-token trace took 550 ms with torch's default of 2
    threads while other work ran, and 2 ms with 1 (bench/explore.py)."""
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
