"""Proves rnnviz.core.threads leaves torch with one intra-op thread, as the app runs."""

import torch

from rnnviz.core.threads import limit_torch_threads


def test_limit_torch_threads_sets_one_thread():
    before = torch.get_num_threads()
    try:
        limit_torch_threads()
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
